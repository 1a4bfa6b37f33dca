"""The base of every API-key view: key auth + whitelist, a scope, the per-key throttle, JSON only."""
from __future__ import annotations

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from hub.api import envelope
from hub.api import schema as _schema  # noqa: F401  (registers the key security scheme)
from hub.api.auth import ApiKeyAuthentication, ApiKeyRateThrottle, CanReadCalls


class AlwaysJson(DefaultContentNegotiation):
    """Whatever Accept says, the answer is JSON: a 406 would only break a sloppy client."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ApiKeyView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [CanReadCalls]
    throttle_classes = [ApiKeyRateThrottle]
    # CRMs send any Accept header; the browsable API would need sessions we do not use.
    renderer_classes = [JSONRenderer]
    content_negotiation_class = AlwaysJson

    def get_exception_handler(self):
        return envelope.exception_handler

    @property
    def account(self):
        return self.request.auth.account

    @property
    def pbx_zones(self) -> dict[int, str]:
        """The account's PBXes (id → time zone), read with the key in the same statement."""
        return self.request.auth.pbx_zones
