from django.contrib import messages
from django.shortcuts import redirect

from hub.errors import NotFound
from hub.selectors.calls import call_get
from hub.services.recordings.links import recording_link
from hub.services.recordings.retention import recording_delete
from webui.flash import post_only
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
    recordings = [(r, recording_link(r)) for r in call.recordings.all()]
    return page(request, "webui/calls/detail.html", {
        "call": call, "timeline": call_timeline(call=call), "deliveries": call_deliveries(call=call),
        "recordings": recordings,
    }, section="calls", zone=pbx_zone(call.pbx))


@member_view(editors_only=True)
@post_only("webui:call", "unique_call_id")
def call_recording_delete(request, unique_call_id: str, recording_id: int):
    account = request.membership.account
    call = call_get(account=account, unique_call_id=unique_call_id)
    recording = call.recordings.filter(pk=recording_id).first()
    if recording is None:
        raise NotFound(f"no recording {recording_id} on this call")
    if recording_delete(account=account, recording=recording, user=request.user):
        messages.success(request, f"Deleted the audio of {recording.original_name}; its details stay on the call.")
    else:
        messages.error(request, f"{recording.original_name} has no stored audio to delete.")
    return redirect("webui:call", unique_call_id)
