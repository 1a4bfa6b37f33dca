"""Query-string fields shared by the key-authenticated views.

Clients of the cloud PBX send empty parameters (``from_date=``) for "not set" and repeat or
comma-join lists; both are accepted. A NUL character is refused here: PostgreSQL cannot
compare text containing one, and it would otherwise surface as a 500.
"""
from __future__ import annotations

import re
from datetime import date
from functools import cache

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

EARLIEST, LATEST = date(1900, 1, 1), date(9998, 12, 31)
_PLAIN_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The years EARLIEST to LATEST, for the schema: format "date" alone allows 0001 to 9999.
YEARS_PATTERN = "^(19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-"
# A query-string parameter sent blank is read as left out (query_values), so blank is valid too.
BLANK = {"type": "string", "maxLength": 0}
DAY_SCHEMA = {"type": "string", "format": "date", "pattern": YEARS_PATTERN}


def query_values(request, names: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """{field: value} from the query string: each field under its name or an alias, repeats
    joined with commas, empty values dropped. A parameter that is none of these is a 400 naming
    it and the accepted ones: ignored, a misspelt filter (``users[]=102``) would return every
    user's rows."""
    params = request.query_params
    accepted = ["format"]  # DRF's own (?format=json)
    accepted += [name for field, aliases in names.items() for name in (field, *aliases)]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise serializers.ValidationError({unknown[0]: [
            f"unknown parameter; accepted: {', '.join(names)}"]})
    out = {}
    for field, aliases in names.items():
        for name in (field, *aliases):
            values = [v for v in params.getlist(name) if v.strip()]
            if values:
                out[field] = ",".join(values)
                break
    return out


@cache
def _shared(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    return serializer_class()


def validated(serializer_class: type[serializers.Serializer], data: dict) -> dict:
    """``serializer_class(data=data)``'s validated data, or its ValidationError ({field: [message]},
    as ``is_valid(raise_exception=True)`` raises it). One unbound instance per class validates every
    request: building a serializer deep-copies its fields, which cost more than validating them.
    Validation keeps no state on the instance, so sharing it across requests and threads is safe."""
    return _shared(serializer_class).run_validation(data)


NO_NUL_PATTERN = r"^[^\x00]*$"
_NO_NUL_MESSAGE = "must not contain a NUL character"


def _no_nul(value: str) -> None:
    if "\x00" in value:
        raise serializers.ValidationError(_NO_NUL_MESSAGE)


class Text(serializers.CharField):
    def __init__(self, **kwargs):
        # A RegexValidator, so the schema says it too (drf-spectacular turns it into "pattern").
        kwargs.setdefault("validators", []).append(RegexValidator(NO_NUL_PATTERN, message=_NO_NUL_MESSAGE))
        super().__init__(**kwargs)


class NumberText(Text):
    """An extension or a phone number: text, or a JSON whole number taken as its digits. CRMs
    written against the cloud PBX send ``"user_number": 101`` as often as ``"101"``; a number is
    no mistake here, so unlike other text fields (hub.api.json_types) it is not refused."""

    @staticmethod
    def json_accepts(value) -> bool:
        return isinstance(value, str) or _whole(value)

    def to_internal_value(self, data):
        return super().to_internal_value(str(data) if _whole(data) else data)


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class QueryText(Text):
    """A query-string field. query_values() drops a blank value, so blank means left out, and
    the schema must not say blank is refused (allow_blank only shapes the schema here)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "pattern": NO_NUL_PATTERN})
class CommaList(serializers.CharField):
    """``101,102`` → ["101", "102"]; a query-string field, so blank is left out (QueryText)."""

    def __init__(self, *, item_max_length: int = 64, max_items: int = 200, **kwargs):
        self.item_max_length, self.max_items = item_max_length, max_items
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        _no_nul(text)  # validators would only see the list
        items = list(dict.fromkeys(item.strip() for item in text.split(",") if item.strip()))
        if len(items) > self.max_items:
            raise serializers.ValidationError(f"at most {self.max_items} values")
        if any(len(item) > self.item_max_length for item in items):
            raise serializers.ValidationError(f"each value at most {self.item_max_length} characters")
        return items


@extend_schema_field({"anyOf": [DAY_SCHEMA, BLANK],
                     "description": f"YYYY-MM-DD, from {EARLIEST} to {LATEST}; blank means left out."})
class Day(serializers.DateField):
    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%d"], format="%Y-%m-%d",
                         error_messages={"invalid": "expected YYYY-MM-DD", "datetime": "expected YYYY-MM-DD"},
                         **kwargs)

    def to_internal_value(self, value):
        day = self._plain_day(value) or super().to_internal_value(value)
        if not EARLIEST <= day <= LATEST:
            raise serializers.ValidationError(f"expected a date from {EARLIEST} to {LATEST}")
        return day

    @staticmethod
    def _plain_day(value) -> date | None:
        """YYYY-MM-DD as clients send it, read without strptime (its locale check and regex took
        ~10 µs a date, a tenth of validating a request). The same days strptime("%Y-%m-%d") reads;
        anything else, and an impossible day, goes to DRF's parser for its error message."""
        if not isinstance(value, str) or not _PLAIN_DAY.fullmatch(value):
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None


def whole_number(*, min_value: int, max_value: int, default: int, help_text: str) -> serializers.IntegerField:
    message = f"expected a whole number from {min_value} to {max_value}"
    return serializers.IntegerField(
        required=False, default=default, min_value=min_value, max_value=max_value, help_text=help_text,
        error_messages={"invalid": message, "min_value": message, "max_value": message, "max_string_length": message})


def choice(values: list[str], *, default: str, help_text: str) -> serializers.ChoiceField:
    # allow_blank only shapes the schema (its enum gets ""): query_values() drops a blank value.
    return serializers.ChoiceField(
        choices=values, required=False, default=default, help_text=help_text, allow_blank=True,
        error_messages={"invalid_choice": f"expected one of {', '.join(values)}"})
