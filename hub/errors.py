"""Errors services raise; interfaces (API, UI, commands) turn them into their own replies."""


class HubError(Exception):
    """A request the hub refuses, with a message fit to show the person who made it."""


class InvalidInput(HubError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Conflict(HubError):
    pass


class NotFound(HubError):
    pass


class NotAllowed(HubError):
    """The person asking has no role that allows this (interfaces answer 403)."""
