from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "PBX webhook hub"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from hub.services.outages import server_restart_check
        from hub.services.recordings import receivers  # noqa: F401 (connects its signal)
        connection_created.connect(server_restart_check, dispatch_uid="hub.server_restart_check")
