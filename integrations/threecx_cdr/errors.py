from __future__ import annotations


class CdrError(ValueError):
    """A CDR line (or a configured field list) the hub cannot use.

    ``code`` is a short, stable reason for counting skipped lines; the message is for humans.
    """

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code
