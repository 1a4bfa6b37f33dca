"""Click-to-call in the cloud PBX's Integration/API (included at /api/integration/v2/)."""
from django.urls import path

from hub.api.click_to_call.views import CallToNumberApi

urlpatterns = [
    path("call-to-number", CallToNumberApi.as_view(), name="integration-call-to-number"),
    path("call-to-number/", CallToNumberApi.as_view(schema=None)),  # the same JSON with a trailing slash
]
