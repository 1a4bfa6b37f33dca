"""Requests that meet a database outage get 503 + Retry-After instead of a 500 page."""
import logging

from hub.db_outage import DATABASE_UNAVAILABLE, NOTED
from hub.services.outages import outage_record_pending
from hub.views.errors import database_unavailable

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """A restart or failover of PostgreSQL is not a bug in the hub: the client (a PBX pushing
    events, a CRM) should retry, and with the Retry-After header it knows when. DRF views re-raise
    such errors (their exception handler leaves non-API exceptions alone), so they arrive here too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NOTED.failed_at is not None:
            # This process answered 503s for an outage: recorded before this request does
            # anything (a push stored first would move its PBX's watermark past the retries).
            try:
                outage_record_pending()
            except DATABASE_UNAVAILABLE as exc:
                return self.process_exception(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        # No path in the message: a push URL carries the PBX's token.
        logger.warning("%s request answered 503: database unavailable (%s: %s)", request.method,
                       exception.__class__.__name__, str(exception).strip().split("\n")[0][:200])
        return database_unavailable(request)
