from django.apps import AppConfig


class ProgressConfig(AppConfig):
    name = "progress"
    verbose_name = "Progress"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from progress.models import ProgressPhoto
        from progress.services import on_photo_deleted

        # A photo's files go with its row, however the row goes (service, cascade, admin).
        post_delete.connect(
            on_photo_deleted, sender=ProgressPhoto, dispatch_uid="progress.photo_files.deleted"
        )
