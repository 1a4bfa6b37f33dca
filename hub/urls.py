from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from hub.metrics.exposition import metrics
from hub.views import health, recordings

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("recordings/<int:pk>/<int:expires>/<str:signature>/<str:name>", recordings.recording_audio,
         name="recording-audio"),
    path("ingest/recordings/", recordings.recording_upload, name="ingest-recording"),
    path("ingest/recordings/<str:token>/", recordings.recording_upload, name="ingest-recording-token"),
    # Browsers ask for /favicon.ico whatever the page links; it is the console's icon.
    path("favicon.ico", RedirectView.as_view(url=static("webui/favicon.svg"), permanent=True)),
    path("api/integration/v2/", include("hub.api.integration.urls")),
    path("api/integration/v2/", include("hub.api.click_to_call.integration_urls")),
    path("api/v1/", include("hub.api.click_to_call.v1_urls")),
    path("api/v1/", include("hub.api.v1.calls_urls")),
    path("api/v1/", include("hub.api.v1.webhook_urls")),
    path("", include("hub.api.urls")),
    path("", include("webui.urls")),
]

handler404 = "hub.views.errors.not_found"
handler500 = "hub.views.errors.server_error"
