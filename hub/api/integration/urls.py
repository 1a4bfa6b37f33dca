"""The cloud PBX's Integration/API, under /api/integration/v2/.

Click-to-call (``call-to-number``) is added here by its own change, next to these.
"""
from django.urls import path

from hub.api.integration.views import QueueCallsApi, RingGroupCallsApi, UserCallsApi

# A client that writes the path with a trailing slash gets the same JSON (seed 004's clients
# are not all consistent); the twins stay out of the schema so each endpoint is documented once.
urlpatterns = [
    path("get-user-calls", UserCallsApi.as_view(), name="integration-get-user-calls"),
    path("get-user-calls/", UserCallsApi.as_view(schema=None)),
    path("get-queue-calls", QueueCallsApi.as_view(), name="integration-get-queue-calls"),
    path("get-queue-calls/", QueueCallsApi.as_view(schema=None)),
    path("get-ringgroup-calls", RingGroupCallsApi.as_view(), name="integration-get-ringgroup-calls"),
    path("get-ringgroup-calls/", RingGroupCallsApi.as_view(schema=None)),
]
