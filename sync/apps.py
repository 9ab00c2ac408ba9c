from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "sync"
    verbose_name = "Mobile sync"

    def ready(self) -> None:
        # sync sits right of every app: it listens to their deletions, they never import it.
        from sync import receivers

        receivers.connect()
