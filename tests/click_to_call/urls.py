"""The API routes of hub/urls.py, in the same order, without the web UI.

The web UI is built concurrently in this tree; these tests exercise the API alone.
"""
from django.urls import include, path

urlpatterns = [
    path("api/integration/v2/", include("hub.api.integration.urls")),
    path("api/integration/v2/", include("hub.api.click_to_call.integration_urls")),
    path("api/v1/", include("hub.api.click_to_call.v1_urls")),
    path("api/v1/", include("hub.api.v1.calls_urls")),
    path("", include("hub.api.urls")),
]
