"""Error pages: API clients get JSON in the cloud PBX's envelope, people get HTML."""
import sys

from django.http import HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error

from hub.db_outage import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS, database_failure_noted

API_PREFIXES = ("/api/", "/ingest/")
__all__ = ["RETRY_AFTER_SECONDS", "database_unavailable", "not_found", "server_error"]


def not_found(request, exception=None):
    if request.path.startswith(API_PREFIXES):
        return JsonResponse({"status": "error", "message": "Not found", "code": 404, "data": []}, status=404)
    return page_not_found(request, exception)


def database_unavailable(request) -> HttpResponse:
    """503, not 500: nothing is wrong with the request, and the same request will succeed later.
    The process notes the outage: once the database answers, it is recorded before anything
    else this process does (hub.middleware), and the push streams wait for the retries."""
    database_failure_noted()
    message = "Service unavailable: the database cannot be reached; retry later"
    if request.path.startswith(API_PREFIXES):
        response = JsonResponse({"status": "error", "message": message, "code": 503, "data": []}, status=503)
    else:
        response = HttpResponse(f"<!doctype html><title>503 Service unavailable</title><h1>{message}</h1>",
                                status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    # Django calls handler500 inside its `except` block: the exception is still the current one.
    # This catches what DatabaseUnavailableMiddleware cannot see: a database error raised by
    # another middleware (a session saved on the way out, say) rather than by the view.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable(request)
    return django_server_error(request)
