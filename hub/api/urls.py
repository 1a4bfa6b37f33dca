from django.urls import path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from hub.api.ingest.views import (
    NativePushApi, NativePushTokenInHeaderApi, PluginPushApi, PluginPushTokenInHeaderApi,
)


class AnyTokenConverter:
    """Any non-empty text, slashes and newlines too (<path:> stops at a newline).

    Whatever a caller puts where the token goes must reach the view and get the same JSON 404
    as any other unknown token, never Django's HTML page.
    """

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AnyTokenConverter, "ingest_token")

# The slash-less twins spare a PBX configured without the trailing slash a redirect it may
# not follow (a POST cannot be redirected); they stay out of the schema so each endpoint is
# documented once. Each push URL has a token-less form, the token then sent in a header.
urlpatterns = [
    path("ingest/events/", NativePushTokenInHeaderApi.as_view(), name="ingest-events-token-in-header"),
    path("ingest/events", NativePushTokenInHeaderApi.as_view(schema=None)),
    path("ingest/events/<ingest_token:token>/", NativePushApi.as_view(), name="ingest-events"),
    path("ingest/events/<ingest_token:token>", NativePushApi.as_view(schema=None)),
    path("ingest/3cx-webhook/", PluginPushTokenInHeaderApi.as_view(), name="ingest-3cx-webhook-token-in-header"),
    path("ingest/3cx-webhook", PluginPushTokenInHeaderApi.as_view(schema=None)),
    path("ingest/3cx-webhook/<ingest_token:token>/", PluginPushApi.as_view(), name="ingest-3cx-webhook"),
    path("ingest/3cx-webhook/<ingest_token:token>", PluginPushApi.as_view(schema=None)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
