"""JSON bodies carry the types the schema documents, or get a 400 naming the field.

DRF coerces what it is given: a CharField takes 0 as "0", a BooleanField takes 0, 1 and "yes",
an IntegerField takes "5" and 5.0. A form can only send text, so it must coerce there; but a
JSON client that sends ``"name": 0`` or ``"enabled": 0`` has most likely made a mistake the
schema (string, boolean) would have shown it, so a JSON body is checked first. Null is left to
each field's ``allow_null``.
"""
from __future__ import annotations

from django.http import QueryDict
from rest_framework import serializers

# The message is the field's own "invalid" one, as DRF gives for a list where text belongs
# ("Not a valid string."), or a whole_number()'s.
_EXPECTED = [
    (serializers.BooleanField, bool),
    (serializers.IntegerField, int),
    (serializers.CharField, str),
    (serializers.ChoiceField, str),
]
_NOT_TEXT = serializers.CharField.default_error_messages["invalid"]


def _problems(field: serializers.Field, value):
    """None if ``value`` has the field's JSON type; else DRF's error shape for it (a list of
    messages, or {index or key: ...} inside a list or an object)."""
    if value is None:
        return None
    if hasattr(field, "json_accepts"):  # a field that says which JSON values it takes
        return None if field.json_accepts(value) else [str(field.error_messages.get("invalid", _NOT_TEXT))]
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        inner = {i: p for i, v in enumerate(value) if (p := _problems(field.child, v))}
        return inner or None
    if isinstance(field, serializers.DictField) and isinstance(value, dict):
        inner = {k: p for k, v in value.items() if (p := _problems(field.child, v))}
        return inner or None
    for kind, python_type in _EXPECTED:
        if isinstance(field, kind):
            wrong = not isinstance(value, python_type) or (python_type is int and isinstance(value, bool))
            return [str(field.error_messages.get("invalid", _NOT_TEXT))] if wrong else None
    return None


class JsonTyped(serializers.Serializer):
    def to_internal_value(self, data):
        if isinstance(data, dict) and not isinstance(data, QueryDict):
            errors = {name: p for name, field in self.fields.items()
                      if name in data and not field.read_only and (p := _problems(field, data[name]))}
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
