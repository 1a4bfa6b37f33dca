from django.contrib import messages
from django.shortcuts import redirect

from hub.errors import Conflict
from hub.selectors.delivery import attempt_list, delivery_get
from hub.services.delivery import delivery_redeliver as redeliver
from webui.flash import post_only
from webui.forms.common import sentence
from webui.forms.webhooks import DeliveryFilterForm
from webui.pages import page, paginate
from webui.selectors.deliveries import delivery_search, endpoint_choices
from webui.tenancy import member_view


@member_view
def delivery_list(request):
    account = request.membership.account
    form = DeliveryFilterForm(request.GET or None, endpoints=endpoint_choices(account=account))
    filters = form.cleaned_data if form.is_valid() else {}
    deliveries = delivery_search(account=account, endpoint_id=filters.get("endpoint"), status=filters.get("status", ""),
                                 trigger=filters.get("trigger", ""), call=filters.get("call", ""))
    return page(request, "webui/deliveries/list.html", {
        "form": form, "page_obj": paginate(request, deliveries), "filtered": any(filters.values()),
    }, section="deliveries")


@member_view
def delivery_detail(request, delivery_id: int):
    delivery = delivery_get(account=request.membership.account, delivery_id=delivery_id)
    return page(request, "webui/deliveries/detail.html", {
        "delivery": delivery, "attempts": attempt_list(delivery=delivery),
        "body": bytes(delivery.body or b"").decode("utf-8", "replace"),
    }, section="deliveries")


@member_view
@post_only("webui:delivery", "delivery_id")
def delivery_redeliver(request, delivery_id: int):
    delivery = delivery_get(account=request.membership.account, delivery_id=delivery_id)
    try:
        redeliver(delivery=delivery)
    except Conflict as exc:
        messages.error(request, sentence(str(exc)))
    else:
        messages.success(request, "Queued for delivery again.")
    return redirect("webui:delivery", delivery.pk)
