"""/api/v1/webhooks: the webhook resource for integrators (API key with the webhooks:manage scope)."""
from django.urls import path

from hub.api.v1.webhooks.views import WebhookDetailApi, WebhookListApi, WebhookTestApi

urlpatterns = [
    path("webhooks", WebhookListApi.as_view(), name="v1-webhooks-list"),
    path("webhooks/<int:webhook_id>", WebhookDetailApi.as_view(), name="v1-webhooks-detail"),
    path("webhooks/<int:webhook_id>/test", WebhookTestApi.as_view(), name="v1-webhooks-test"),
]
