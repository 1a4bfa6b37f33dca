from hub.selectors.calls import call_get
from webui.forms.calls import CallSearchForm
from webui.pages import page, paginate
from webui.selectors.calls import call_deliveries, call_search, call_timeline
from webui.tenancy import member_view
from webui.zones import pbx_zone


@member_view
def call_list(request):
    form = CallSearchForm(request.GET or None)
    filters = {k: v for k, v in form.cleaned_data.items()} if form.is_valid() else {}
    calls = call_search(account=request.membership.account, text=filters.get("q", ""),
                        direction=filters.get("direction", ""), state=filters.get("state", ""),
                        day_from=filters.get("day_from"), day_to=filters.get("day_to"))
    return page(request, "webui/calls/list.html", {
        "form": form, "page_obj": paginate(request, calls), "filtered": any(filters.values()),
    }, section="calls")


@member_view
def call_detail(request, unique_call_id: str):
    call = call_get(account=request.membership.account, unique_call_id=unique_call_id)
    return page(request, "webui/calls/detail.html", {
        "call": call, "timeline": call_timeline(call=call), "deliveries": call_deliveries(call=call),
    }, section="calls", zone=pbx_zone(call.pbx))
