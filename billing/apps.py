from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from clients.signals import client_deactivated

        def on_client_deactivated(sender, client, **kwargs):
            from billing.services import subscription_stop_for_deactivated_client

            subscription_stop_for_deactivated_client(client=client)

        client_deactivated.connect(
            on_client_deactivated, weak=False, dispatch_uid="billing.client_deactivated"
        )
