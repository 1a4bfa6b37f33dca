from django.shortcuts import redirect

from hub.errors import HubError
from hub.selectors.click_to_call import click_to_call_detail as detail_get
from hub.services.click_to_call import call_originate, click_to_call_watched
from webui.forms.calls import ClickToCallForm
from webui.forms.common import add_service_error
from webui.pages import page, paginate
from webui.selectors.click_to_call import SETTLED, click_to_call_list, dialable_users
from webui.tenancy import member_view

ERROR_FIELDS = {"number_to_call": "number", "user_number": "user", "pbx": "user"}


@member_view
def click_to_call(request):
    account = request.membership.account
    users = dialable_users(account=account)
    form = ClickToCallForm(request.POST or None, users=users)
    if request.method == "POST" and form.is_valid():
        user = form.cleaned_data["user"]
        try:
            click = call_originate(account=account, pbx=user.pbx, user_number=user.number,
                                   number_to_call=form.cleaned_data["number"], user=request.user)
        except HubError as exc:
            add_service_error(form, exc, fields=ERROR_FIELDS)
        else:
            return redirect("webui:click-to-call-detail", click.pk)
    return page(request, "webui/calls/click_to_call.html", {
        "form": form, "has_users": users.exists(), "page_obj": paginate(request, click_to_call_list(account=account)),
    }, section="click-to-call")


@member_view
def click_to_call_detail(request, click_id: int):
    detail = detail_get(account=request.membership.account, click_id=click_id)
    click = detail.click
    # Still moving while queued, or ringing and the hub is watching the logs for the answer.
    live = click.status not in SETTLED and (click.status == "queued" or click_to_call_watched(click))
    template = "webui/calls/click_to_call_status.html" if request.GET.get("fragment") else "webui/calls/click_to_call_detail.html"
    return page(request, template, {"click": click, "call": detail.call, "live": live}, section="click-to-call")
