from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from accounts import checks  # noqa: F401  (registers the deploy checks)
        from accounts.authentication import forget_user
        from accounts.models import User

        def on_user_changed(sender, instance, **kwargs):
            forget_user(instance.pk)

        post_save.connect(on_user_changed, sender=User, weak=False, dispatch_uid="auth.saved")
        post_delete.connect(on_user_changed, sender=User, weak=False, dispatch_uid="auth.deleted")
