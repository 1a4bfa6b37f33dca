"""Request body parsers of the key-authenticated API."""
from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from integrations.json_nesting import TOO_DEEP, nests_too_deep


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing a body nested too deeply with a 400 instead of failing with
    RecursionError (a 500) in the parser or wherever the document is walked next."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - {TOO_DEEP}") from None
        if nests_too_deep(data):
            raise ParseError(f"JSON parse error - {TOO_DEEP}")
        return data
