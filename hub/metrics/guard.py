"""Counting and logging never fail the work they describe."""
from __future__ import annotations

import functools
import logging

logger = logging.getLogger(__name__)


def never_raises(function):
    """For code that runs after the work has committed: an error in it is logged, and the
    caller (a push answered 202, a pump going on with its endpoint) never sees it."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs) -> None:
        try:
            function(*args, **kwargs)
        except Exception:  # noqa: BLE001 — whatever it is, the committed work stands
            logger.exception("%s failed", function.__qualname__)
    return wrapper
