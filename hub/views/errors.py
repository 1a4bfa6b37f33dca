"""Error pages: API clients get JSON in the cloud PBX's envelope, people get HTML."""
from django.http import JsonResponse
from django.views.defaults import page_not_found

API_PREFIXES = ("/api/", "/ingest/")


def not_found(request, exception=None):
    if request.path.startswith(API_PREFIXES):
        return JsonResponse({"status": "error", "message": "Not found", "code": 404, "data": []}, status=404)
    return page_not_found(request, exception)
