"""The hub's URLs plus `/bench/bare`: a DRF view returning a constant (the benchmark's yardstick).

Used only by `bench/api.py` through `bench.api_settings`; never part of the product's URLs.
"""
from django.urls import path
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.urls import urlpatterns as hub_urlpatterns


class BareApi(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    renderer_classes = [JSONRenderer]

    def get(self, request):
        return Response({"status": "success", "message": "OK", "code": 200, "data": []})


urlpatterns = [path("bench/bare", BareApi.as_view()), *hub_urlpatterns]
