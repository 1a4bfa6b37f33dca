"""The base of every API-key view: key auth + whitelist, a scope, the per-key throttle, JSON only."""
from __future__ import annotations

import orjson
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from hub.api import envelope
from hub.api import schema as _schema  # noqa: F401  (registers the key security scheme)
from hub.api.auth import ApiKeyAuthentication, ApiKeyRateThrottle, CanReadCalls
from hub.api.parsers import BoundedJSONParser


class AlwaysJson(DefaultContentNegotiation):
    """Whatever Accept says, the answer is JSON: a 406 would only break a sloppy client."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class FastJsonRenderer(JSONRenderer):
    """The same bytes as DRF's compact UTF-8 JSON, written by orjson (a page of 100 history rows:
    about 20 µs instead of 350). Dates and times still go through DRF's encoder, which writes them
    its own way; anything orjson refuses (an integer over 64 bits, a non-string key) falls back to
    DRF. Floats would differ in exponent style (1e16, not 1e+16); no key-authenticated reply has any."""

    _OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        try:
            body = orjson.dumps(data, default=self.encoder_class().default, option=self._OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # DRF escapes these two (valid JSON, but not valid JavaScript); orjson does not.
        return body.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")


class ApiKeyView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [CanReadCalls]
    throttle_classes = [ApiKeyRateThrottle]
    # CRMs send any Accept header; the browsable API would need sessions we do not use.
    renderer_classes = [FastJsonRenderer]
    # DRF's default three, with a JSON parser that refuses bodies nested too deeply.
    parser_classes = [BoundedJSONParser, FormParser, MultiPartParser]
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
