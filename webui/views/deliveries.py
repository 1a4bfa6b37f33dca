from django.contrib import messages
from django.shortcuts import redirect

from hub.errors import Conflict
from hub.selectors.delivery import attempt_list, delivery_get
from hub.selectors.delivery_wait import delivery_waits
from hub.services.delivery import delivery_redeliver, delivery_retry_now
from webui.flash import post_only
from webui.forms.webhooks import DeliveryFilterForm
from webui.pages import page, paginate
from webui.selectors.deliveries import delivery_search, endpoint_choices
from webui.tenancy import member_view

FILTERS = ("endpoint", "status", "trigger", "call", "message_id", "since", "until")


def _actor(request) -> dict:
    return {"actor": request.user.email or request.user.username, "user": request.user}


@member_view
def delivery_list(request):
    account = request.membership.account
    form = DeliveryFilterForm(request.GET or None, endpoints=endpoint_choices(account=account))
    filters = form.cleaned_data if form.is_valid() else {}
    text = {name: filters.get(name) or "" for name in ("status", "trigger", "call", "message_id")}
    deliveries = delivery_search(account=account, endpoint_id=filters.get("endpoint"), since=filters.get("since"),
                                 until=filters.get("until"), **text)
    page_obj = paginate(request, deliveries)
    waits = delivery_waits(page_obj.object_list)
    return page(request, "webui/deliveries/list.html", {
        "form": form, "page_obj": page_obj, "rows": [(d, waits.get(d.pk)) for d in page_obj],
        "filtered": any(request.GET.get(name) for name in FILTERS),
    }, section="deliveries")


@member_view
def delivery_detail(request, delivery_id: int):
    delivery = delivery_get(account=request.membership.account, delivery_id=delivery_id)
    return page(request, "webui/deliveries/detail.html", {
        "delivery": delivery, "attempts": attempt_list(delivery=delivery),
        "wait": delivery_waits([delivery]).get(delivery.pk),
        "body": bytes(delivery.body or b"").decode("utf-8", "replace"),
    }, section="deliveries")


@member_view
@post_only("webui:delivery", "delivery_id")
def delivery_redeliver_view(request, delivery_id: int):
    delivery = delivery_get(account=request.membership.account, delivery_id=delivery_id)
    try:
        delivery = delivery_redeliver(delivery=delivery, **_actor(request))
    except Conflict as exc:
        messages.error(request, f"Not resent: {exc}.")
    else:
        messages.success(request, f"Sent again: {delivery.get_status_display().lower()}." if delivery.is_test
                         else "Queued to be sent again with the same webhook-id; the attempts below show how it goes.")
    return redirect("webui:delivery", delivery.pk)


@member_view
@post_only("webui:delivery", "delivery_id")
def delivery_retry_now_view(request, delivery_id: int):
    delivery = delivery_get(account=request.membership.account, delivery_id=delivery_id)
    try:
        delivery = delivery_retry_now(delivery=delivery, **_actor(request))
    except Conflict as exc:
        messages.error(request, f"Not retried: {exc}.")
    else:
        wait = delivery_waits([delivery]).get(delivery.pk)
        if wait is None or wait.reason == "due":
            messages.success(request, "Due now: a worker sends it within seconds.")
        else:
            messages.warning(request, f"Due now, but it still {wait.text}.")
    return redirect("webui:delivery", delivery.pk)
