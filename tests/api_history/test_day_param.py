"""Day reads YYYY-MM-DD itself (no strptime) for speed: it must accept exactly what DRF's parser
with "%Y-%m-%d" accepts, and leave every other value to DRF's messages."""
from datetime import date, datetime

import pytest
from rest_framework import serializers

from hub.api.params import Day

VALUES = ["2025-03-01", "2024-02-29", "2025-02-29", "1900-01-01", "9998-12-31", "2025-13-01", "2025-00-10",
          "2025-3-1", "٢٠٢٥-03-01", "2025-03-01 ", " 2025-03-01", "20250301", "2025-W01", "+2025-03-01",
          "2025-03-01T00:00", "0000-01-01", ""]


def _strptime(value: str):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None


@pytest.mark.parametrize("value", VALUES)
def test_day_reads_what_strptime_reads(value):
    expected = _strptime(value)
    if expected is not None and date(1900, 1, 1) <= expected <= date(9998, 12, 31):
        assert Day().run_validation(value) == expected
    else:
        with pytest.raises(serializers.ValidationError):
            Day().run_validation(value)


@pytest.mark.parametrize("value", VALUES)
def test_the_shortcut_never_reads_a_day_strptime_would_not(value):
    read = Day._plain_day(value)
    assert read is None or read == _strptime(value)
