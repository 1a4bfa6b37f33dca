"""Push endpoints: token → PBX, parse with the source's adapter, one ingest call, reply.

Machine to machine: the ingest token is the credential, so no session, no CSRF, and the reply
is JSON whatever the caller's Accept header says. The token goes in the URL (the 3CX plugin can
send nothing else) or, on the token-less URLs, in ``Authorization: Bearer <token>`` or
``X-Pbx-Token: <token>``, which keeps it out of proxies' access logs.
"""
from __future__ import annotations

import logging

from django.core.exceptions import SuspiciousOperation
from django.db import DataError
from django.utils import timezone
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from hub.api.ingest import docs, replies
from hub.api.ingest.body import MAX_BODY_BYTES, BodyTooLarge, decode_json, read_body
from hub.api.ingest.token import header_token
from hub.selectors.ingest import pbx_for_ingest_token
from hub.logs.context import log_bind
from hub.services.ingest import events_ingest
from hub.vocabulary.timezones import parse_timezone
from hub.vocabulary.pbx_event import PbxEvent
from integrations.native_json import parse_native_push
from integrations.push_errors import PushError
from integrations.threecx_plugin import parse_plugin_request

logger = logging.getLogger(__name__)


class JsonOnly(BaseContentNegotiation):
    """A PBX sends whatever Accept header it likes; refusing with 406 would lose its event."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class PushApi(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    renderer_classes = [JSONRenderer]
    parser_classes: list = []  # the adapters read the raw body themselves
    content_negotiation_class = JsonOnly
    # The events carry the time they happened, so a retry may come after later ones: they wait
    # for the push stream's lateness allowance (hub.services.ingest.watermarks).
    event_timed = True

    def parse(self, request, *, pbx, body: bytes) -> list[PbxEvent]:
        raise NotImplementedError

    def push(self, request, token: str | None):
        if token is None:  # a token-less URL: the token comes in a header
            token = header_token(request)
            if token is None:
                return replies.token_missing()
        pbx = pbx_for_ingest_token(token=token)
        if pbx is None:
            return replies.not_found()
        log_bind(account=pbx.account_id, pbx=pbx.pk)
        try:
            events = self.parse(request, pbx=pbx, body=read_body(request, limit=MAX_BODY_BYTES))
            result = events_ingest(pbx=pbx, events=events, pushed=self.event_timed)
        except BodyTooLarge:
            return replies.too_large(MAX_BODY_BYTES)
        except PushError as error:
            return replies.invalid(error)
        except DataError:
            # The database refused a value the adapter let through (too long, a NUL byte on
            # PostgreSQL): the sender's input, so a 400; logged because the adapter should say.
            logger.warning("push for PBX %s refused by the database", pbx.slug, exc_info=True)
            return replies.invalid(PushError("body", "a value cannot be stored (too long or a NUL character)"))
        return replies.accepted(result)


class NativePushApi(PushApi):
    @docs.native_push
    def post(self, request, token: str):
        return self.push(request, token)

    def parse(self, request, *, pbx, body: bytes) -> list[PbxEvent]:
        return parse_native_push(decode_json(body))


class NativePushTokenInHeaderApi(NativePushApi):
    @docs.native_push_token_in_header
    def post(self, request):
        return self.push(request, None)


def _query(request) -> dict[str, str]:
    try:
        return request.query_params.dict()
    except SuspiciousOperation as exc:  # more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS
        raise PushError("query", str(exc)) from None


class PluginPushApi(PushApi):
    """The "3CX Webhook" plugin: GET scheme (query string) and POST scheme (JSON, form, links)."""

    # Its requests carry no time but the call's start: dated as they arrive, they are in order
    # by construction, and waiting for late ones would change no payload, only delay them.
    event_timed = False

    @docs.plugin_get
    def get(self, request, token: str):
        return self.push(request, token)

    @docs.plugin_post
    def post(self, request, token: str):
        return self.push(request, token)

    def parse(self, request, *, pbx, body: bytes) -> list[PbxEvent]:
        return parse_plugin_request(
            method=request.method, query=_query(request), body=body,
            content_type=request.content_type, tz=parse_timezone(pbx.timezone), received_at=timezone.now(),
        )


class PluginPushTokenInHeaderApi(PluginPushApi):
    @docs.plugin_get_token_in_header
    def get(self, request):
        return self.push(request, None)

    @docs.plugin_post_token_in_header
    def post(self, request):
        return self.push(request, None)
