from datetime import timedelta

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from hub.catalogue import CATALOGUE, families
from hub.errors import HubError
from hub.selectors.delivery import delivery_list, webhook_get
from hub.services.delivery import (
    deliveries_recover, signing_secret_rotate, signing_secrets_reveal, webhook_endpoint_create,
    webhook_endpoint_delete, webhook_endpoint_enable, webhook_endpoint_update, webhook_test,
)
from webui.flash import flash_pop, flash_pop_secret, flash_put, flash_secret, post_only
from webui.forms.common import add_service_error
from webui.forms.webhooks import ERROR_FIELDS, RecoverForm, TestRequestForm, WebhookForm, sample_text
from webui.pages import confirm_page, confirmed, page
from webui.selectors.dashboard import endpoint_health
from webui.selectors.deliveries import signing_secrets_active, test_outcome_get
from webui.snippets import SNIPPETS
from webui.tenancy import member_view

RECENT_DELIVERIES = 10
HEALTH_WINDOW = timedelta(hours=24)
# What an action hands to the endpoint page it redirects to (webui.flash), named per endpoint so
# another endpoint's page, opened first in another tab, never shows or swallows it.
SECRET_FLASH, TEST_FLASH, REVEAL_FLASH = "webhook-secret:{}", "webhook-test:{}", "webhook-reveal:{}"


def _actor(request) -> dict:
    return {"actor": request.user.email or request.user.username, "user": request.user}


@member_view
def webhook_list(request):
    account = request.membership.account
    return page(request, "webui/webhooks/list.html", {
        "endpoints": endpoint_health(account=account, since=timezone.now() - HEALTH_WINDOW),
    }, section="webhooks")


def _form_page(request, form, endpoint=None):
    selected = set(form["triggers"].value() or [])
    return page(request, "webui/webhooks/form.html", {
        "form": form, "endpoint": endpoint, "families": families(), "selected": selected,
    }, section="webhooks")


@member_view(editors_only=True)
def webhook_new(request):
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            endpoint, secret = webhook_endpoint_create(account=request.membership.account, **fields, **_actor(request))
        except HubError as exc:
            add_service_error(form, exc, fields=ERROR_FIELDS)
        else:
            messages.success(request, "Endpoint created. Send a test request to check the receiver answers.")
            flash_secret(request, SECRET_FLASH.format(endpoint.pk), secret)
            return redirect("webui:webhook", endpoint.pk)
    return _form_page(request, form)


@member_view(editors_only=True)
def webhook_edit(request, endpoint_id: int):
    endpoint = webhook_get(account=request.membership.account, endpoint_id=endpoint_id)
    form = WebhookForm(request.POST or None, endpoint=endpoint) if request.method == "POST" else WebhookForm(endpoint=endpoint)
    if request.method == "POST" and form.is_valid():
        try:
            webhook_endpoint_update(endpoint=endpoint, **form.service_fields(), **_actor(request))
        except HubError as exc:
            add_service_error(form, exc, fields=ERROR_FIELDS)
        else:
            messages.success(request, "Changes saved.")
            return redirect("webui:webhook", endpoint.pk)
    return _form_page(request, form, endpoint)


def _detail(request, endpoint, *, test_form=None, test=None, new_secret=None, revealed=None, recover_form=None):
    [health] = endpoint_health(account=endpoint.account, since=timezone.now() - HEALTH_WINDOW, endpoint_id=endpoint.pk)
    return page(request, "webui/webhooks/detail.html", {
        "endpoint": endpoint, "health": health, "test_form": test_form or TestRequestForm(endpoint=endpoint),
        "test": test, "new_secret": new_secret, "revealed": revealed, "snippets": SNIPPETS,
        "test_samples": {key: sample_text(key) for key in CATALOGUE},
        "recover_form": recover_form or RecoverForm(),
        "deliveries": delivery_list(endpoint=endpoint).filter(is_test=False)[:RECENT_DELIVERIES],
        "families": {family: [t for t in triggers if t.key in endpoint.triggers] for family, triggers in families().items()},
    }, section="webhooks")


def _test_form(endpoint, flashed: dict | None) -> TestRequestForm:
    """After a test: the event and payload just sent (or refused, with why); else the first ticked sample."""
    if not flashed:
        return TestRequestForm(endpoint=endpoint)
    values = {"trigger": flashed.get("trigger", ""), "payload": flashed.get("payload", "")}
    if not flashed.get("errors"):
        return TestRequestForm(endpoint=endpoint, initial=values)
    form = TestRequestForm(values, endpoint=endpoint)
    form.is_valid()  # the form's own errors come back by themselves; the service's are added
    for field, errors in flashed["errors"].items():
        for error in errors:
            if error not in form.errors.get(field, []):
                form.add_error(field if field in form.fields else None, error)
    return form


@member_view
def webhook_detail(request, endpoint_id: int):
    """Also the page every action below redirects to; what it hands over is shown once."""
    endpoint = webhook_get(account=request.membership.account, endpoint_id=endpoint_id)
    test = flash_pop(request, TEST_FLASH.format(endpoint.pk))
    response = _detail(
        request, endpoint, test_form=_test_form(endpoint, test),
        test=test_outcome_get(endpoint=endpoint, delivery_id=test.get("delivery_id")) if test else None,
        new_secret=flash_pop_secret(request, SECRET_FLASH.format(endpoint.pk)),
        revealed=signing_secrets_active(endpoint=endpoint) if flash_pop(request, REVEAL_FLASH.format(endpoint.pk)) else None)
    response["Cache-Control"] = "no-store"  # a secret may be on it; no cache keeps the page
    return response


@member_view
@post_only("webui:webhook", "endpoint_id")
def webhook_send_test(request, endpoint_id: int):
    endpoint = webhook_get(account=request.membership.account, endpoint_id=endpoint_id)
    form = TestRequestForm(request.POST, endpoint=endpoint)
    # What the page shows after the redirect: the event and payload as typed, and the test
    # delivery (what was sent, what came back) or why nothing was sent.
    flashed = {"trigger": request.POST.get("trigger", "")[:100],
               "payload": request.POST.get("payload", "")[:TestRequestForm.MAX_PAYLOAD + 1]}  # the session stays small
    if form.is_valid():
        try:
            result = webhook_test(endpoint=endpoint, trigger=form.cleaned_data["trigger"],
                                  payload=form.cleaned_data["payload"], **_actor(request))
            flashed["delivery_id"] = result.delivery_id
        except HubError as exc:
            add_service_error(form, exc)
    if form.errors:
        flashed["errors"] = {name: list(errors) for name, errors in form.errors.items()}
    flash_put(request, TEST_FLASH.format(endpoint.pk), flashed)
    return redirect(reverse("webui:webhook", args=[endpoint.pk]) + "#test")


@member_view
@post_only("webui:webhook", "endpoint_id")
def webhook_set_enabled(request, endpoint_id: int):
    endpoint = webhook_get(account=request.membership.account, endpoint_id=endpoint_id)
    if request.POST.get("enabled") == "1":
        webhook_endpoint_enable(endpoint=endpoint, **_actor(request))
        messages.success(request, "Endpoint enabled: waiting deliveries are on their way.")
    else:
        if not confirmed(request):
            return confirm_page(request, title="Disable this endpoint?", action="Disable", section="webhooks",
                                message="New events for it wait as pending deliveries until you enable it again.")
        webhook_endpoint_update(endpoint=endpoint, enabled=False, **_actor(request))
        messages.success(request, "Endpoint disabled.")
    return redirect("webui:webhook", endpoint.pk)


@member_view
@post_only("webui:webhook", "endpoint_id")
def webhook_secret_reveal(request, endpoint_id: int):
    endpoint = webhook_get(account=request.membership.account, endpoint_id=endpoint_id)
    signing_secrets_reveal(endpoint=endpoint, **_actor(request))  # a sensitive read: in the audit log
    flash_put(request, REVEAL_FLASH.format(endpoint.pk), True)  # the page reads the secrets once; a refresh hides them
    return redirect(reverse("webui:webhook", args=[endpoint.pk]) + "#signing")


@member_view
@post_only("webui:webhook", "endpoint_id")
def webhook_secret_rotate(request, endpoint_id: int):
    endpoint = webhook_get(account=request.membership.account, endpoint_id=endpoint_id)
    if not confirmed(request):
        return confirm_page(request, title="Rotate the signing secret?", action="Rotate secret", section="webhooks",
                            message="A new secret signs from now on; the current one keeps signing beside it for 24 hours.")
    secret = signing_secret_rotate(endpoint=endpoint, **_actor(request))
    messages.success(request, "Signing secret rotated. The old one keeps signing for 24 hours.")
    flash_secret(request, SECRET_FLASH.format(endpoint.pk), secret)
    return redirect("webui:webhook", endpoint.pk)


@member_view
@post_only("webui:webhook", "endpoint_id")
def webhook_recover(request, endpoint_id: int):
    endpoint = webhook_get(account=request.membership.account, endpoint_id=endpoint_id)
    form = RecoverForm(request.POST)
    if not form.is_valid():
        return _detail(request, endpoint, recover_form=form)
    count = deliveries_recover(endpoint=endpoint, since=form.cleaned_data["since"], **_actor(request))
    messages.success(request, f"{count} failed deliver{'y' if count == 1 else 'ies'} sent again." if count
                     else "No failed deliveries since then.")
    return redirect("webui:webhook", endpoint.pk)


@member_view
@post_only("webui:webhook", "endpoint_id")
def webhook_delete(request, endpoint_id: int):
    endpoint = webhook_get(account=request.membership.account, endpoint_id=endpoint_id)
    if not confirmed(request):
        return confirm_page(request, title=f"Delete {endpoint}?", action="Delete endpoint", section="webhooks",
                            message="Its pending deliveries and delivery history are deleted with it. This cannot be undone.")
    webhook_endpoint_delete(endpoint=endpoint, **_actor(request))
    messages.success(request, f"Deleted {endpoint}.")
    return redirect("webui:webhooks")
