"""Click-to-call under /api/v1/ (included before the calls resource's routes).

``calls`` is shared with the call list: ``calls_root`` dispatches by method. It is no DRF view,
so the schema takes the POST operation from the (never routed) twin below and the GET from the
list's own route.
"""
from django.urls import path

from hub.api.click_to_call.views import CallPlaceApi, ClickToCallStatusApi, calls_root

urlpatterns = [
    path("calls", calls_root, name="v1-calls-root"),
    path("calls", CallPlaceApi.as_view(), name="v1-calls-place"),
    path("calls/originate/<str:click_id>", ClickToCallStatusApi.as_view(), name="v1-click-to-call-status"),
]
