from django.contrib.auth import views as auth_views
from django.urls import path

from webui.views import (
    access, api_keys, audit, calls, click_to_call, dashboard, deliveries, join, pbx, retention, sources, team,
    webhooks,
)

app_name = "webui"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="webui/login.html", redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", dashboard.dashboard, name="dashboard"),
    path("account/switch/", dashboard.switch_account, name="switch-account"),
    # API & access
    path("api-access/keys/", api_keys.key_list, name="api-keys"),
    path("api-access/keys/<int:key_id>/revoke/", api_keys.key_revoke, name="api-key-revoke"),
    path("api-access/whitelist/", access.whitelist, name="whitelist"),
    path("api-access/whitelist/<int:network_id>/remove/", access.whitelist_remove, name="whitelist-remove"),
    path("api-access/request-builder/", access.request_builder, name="api-builder"),
    # Webhooks and deliveries
    path("webhooks/", webhooks.webhook_list, name="webhooks"),
    path("webhooks/new/", webhooks.webhook_new, name="webhook-new"),
    path("webhooks/<int:endpoint_id>/", webhooks.webhook_detail, name="webhook"),
    path("webhooks/<int:endpoint_id>/edit/", webhooks.webhook_edit, name="webhook-edit"),
    path("webhooks/<int:endpoint_id>/test/", webhooks.webhook_send_test, name="webhook-test"),
    path("webhooks/<int:endpoint_id>/enabled/", webhooks.webhook_set_enabled, name="webhook-enabled"),
    path("webhooks/<int:endpoint_id>/secret/reveal/", webhooks.webhook_secret_reveal, name="webhook-secret-reveal"),
    path("webhooks/<int:endpoint_id>/secret/rotate/", webhooks.webhook_secret_rotate, name="webhook-secret-rotate"),
    path("webhooks/<int:endpoint_id>/recover/", webhooks.webhook_recover, name="webhook-recover"),
    path("webhooks/<int:endpoint_id>/delete/", webhooks.webhook_delete, name="webhook-delete"),
    path("deliveries/", deliveries.delivery_list, name="deliveries"),
    path("deliveries/<int:delivery_id>/", deliveries.delivery_detail, name="delivery"),
    path("deliveries/<int:delivery_id>/redeliver/", deliveries.delivery_redeliver_view, name="delivery-redeliver"),
    path("deliveries/<int:delivery_id>/retry-now/", deliveries.delivery_retry_now_view, name="delivery-retry-now"),
    # Calls
    path("calls/", calls.call_list, name="calls"),
    path("calls/<str:unique_call_id>/", calls.call_detail, name="call"),
    path("calls/<str:unique_call_id>/recordings/<int:recording_id>/delete", calls.call_recording_delete,
         name="call-recording-delete"),
    path("click-to-call/", click_to_call.click_to_call, name="click-to-call"),
    path("click-to-call/<int:click_id>/", click_to_call.click_to_call_detail, name="click-to-call-detail"),
    # PBX sources and components
    path("sources/", sources.source_list, name="sources"),
    path("sources/source/<int:source_id>/edit/", sources.source_edit, name="source-edit"),
    path("sources/source/<int:source_id>/delete/", sources.source_delete, name="source-delete"),
    path("sources/components/new/", sources.component_new, name="component-new"),
    path("sources/components/<int:component_id>/edit/", sources.component_edit, name="component-edit"),
    path("sources/components/<int:component_id>/delete/", sources.component_delete, name="component-delete"),
    path("sources/<slug:pbx_slug>/new/", sources.source_new, name="source-new"),
    path("sources/<slug:pbx_slug>/settings/", pbx.pbx_edit, name="pbx-edit"),
    path("account/retention/", retention.retention, name="retention"),
    # Owners only
    path("audit/", audit.audit_log, name="audit"),
    path("team/", team.team, name="team"),
    path("team/members/<int:membership_id>/role/", team.member_role, name="team-role"),
    path("team/members/<int:membership_id>/remove/", team.member_delete, name="team-remove"),
    path("team/invitations/<int:invitation_id>/renew/", team.invitation_new_link, name="team-invitation-renew"),
    path("team/invitations/<int:invitation_id>/withdraw/", team.invitation_withdraw, name="team-invitation-revoke"),
    # The invitation link (no sign-in needed)
    path("join/<str:token>/", join.join, name="join"),
]
