from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = "PBX webhook hub"

    def ready(self) -> None:
        from hub.services.recordings import receivers  # noqa: F401 (connects its signal)
