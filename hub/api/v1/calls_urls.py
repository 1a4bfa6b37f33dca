"""The hub's own call resource under /api/v1/.

Click-to-call's routes (hub/api/click_to_call/v1_urls.py) are included before these: its
``calls`` route dispatches GET to CallListApi and POST to its own view, and
``calls/originate/<id>`` must stay ahead of ``calls/<unique_call_id>`` or it is taken for a call id.
"""
from django.urls import path

from hub.api.v1.calls.views import CallDetailApi, CallListApi

urlpatterns = [
    path("calls", CallListApi.as_view(), name="v1-calls-list"),
    path("calls/<str:unique_call_id>", CallDetailApi.as_view(), name="v1-calls-detail"),
]
