"""The hub's URLs plus two bench-only endpoints, never part of the product's URLs:

- ``/bench/bare``: a DRF view returning a constant (the yardstick of a request with no work);
- ``/bench/drf/user-calls``: what a Django developer would write instead of the hub's call-history
  endpoint — a ``ListAPIView`` with a ``ModelSerializer``, a django-filter ``FilterSet`` and
  ``LimitOffsetPagination`` over the same tables, written the way the DRF and django-filter docs
  show (``select_related`` for the call, a subquery for the directory name, no N+1). It uses the
  hub's own key authentication, scope check and throttle, so both sides pay the same for those.

Used only by ``bench/api.py`` through ``bench.api_settings``.
"""
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import path
from django_filters import rest_framework as filters
from rest_framework import generics, serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from hub.api.auth import ApiKeyAuthentication, ApiKeyRateThrottle, CanReadCalls
from hub.models import PbxUser, UserLeg
from hub.urls import urlpatterns as hub_urlpatterns


class BareApi(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    renderer_classes = [JSONRenderer]

    def get(self, request):
        return Response({"status": "success", "message": "OK", "code": 200, "data": []})


class UserCallFilter(filters.FilterSet):
    user_numbers = filters.BaseInFilter(field_name="user")
    call_start_at = filters.DateFromToRangeFilter()  # ?call_start_at_after=…&call_start_at_before=…

    class Meta:
        model = UserLeg
        fields = ["user_numbers", "call_start_at", "status"]


class UserCallSerializer(serializers.ModelSerializer):
    unique_call_id = serializers.CharField(source="call.unique_call_id")
    type = serializers.SerializerMethodField()
    caller_id = serializers.CharField(source="call.caller_number")
    caller_name = serializers.CharField(source="call.caller_name")
    dest_number = serializers.CharField(source="call.dest_number")
    user_name = serializers.CharField()
    user_number = serializers.CharField(source="user")
    call_start_at = serializers.DateTimeField(source="call.call_start_at")
    connected_at = serializers.DateTimeField(source="call.connected_at")
    call_duration = serializers.IntegerField(source="call.call_duration")
    conversation_duration = serializers.IntegerField(source="call.conversation_duration")

    class Meta:
        model = UserLeg
        fields = ["unique_call_id", "type", "caller_id", "caller_name", "dest_number", "user_name", "user_number",
                  "call_start_at", "connected_at", "call_duration", "conversation_duration"]

    def get_type(self, leg) -> str:
        placed = leg.position == 0 and leg.rang_at is None and leg.call.direction in ("outbound", "internal")
        if placed:
            return "user_outbound_answered" if leg.call.connected_at else "user_outbound_unanswered"
        return "user_inbound_answered" if leg.answered_at else "user_inbound_missed"


class DrfUserCalls(generics.ListAPIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [CanReadCalls]
    throttle_classes = [ApiKeyRateThrottle]
    serializer_class = UserCallSerializer
    pagination_class = LimitOffsetPagination
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = UserCallFilter

    def get_queryset(self):
        names = PbxUser.objects.filter(pbx=OuterRef("pbx"), number=OuterRef("user")).values("name")[:1]
        return (UserLeg.objects.filter(account=self.request.auth.account)
                .select_related("call")
                .annotate(user_name=Coalesce(Subquery(names), Value("")))
                .order_by("-call_start_at", "-call_id", "-position", "-id"))


urlpatterns = [path("bench/bare", BareApi.as_view()), path("bench/drf/user-calls", DrfUserCalls.as_view()),
               *hub_urlpatterns]
