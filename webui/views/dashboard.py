from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from hub.selectors.accounts import memberships_for_user, pbx_list
from webui.charts import bar_chart
from webui.flash import post_only
from webui.pages import page
from webui.selectors import dashboard as stats
from webui.tenancy import SESSION_KEY, member_view


@member_view
def dashboard(request):
    account = request.membership.account
    span = request.GET.get("range") if request.GET.get("range") in stats.RANGES else "24h"
    slots = stats.hour_slots(hours=stats.RANGES[span])
    tz = request.zone.tzinfo
    deliveries = stats.deliveries_per_hour(account=account, slots=slots)
    return page(request, "webui/dashboard.html", {
        "span": span, "totals": stats.totals(account=account, since=slots[0]),
        "calls_chart": bar_chart(slots=slots, series={"calls": stats.calls_per_hour(account=account, slots=slots)},
                                 tz=tz, title="Calls per hour"),
        "deliveries_chart": bar_chart(slots=slots, series=deliveries, tz=tz, title="Deliveries per hour"),
        "endpoints": stats.endpoint_health(account=account, since=slots[0]),
        "ingest": stats.ingest_status(account=account),
        "pbxes": pbx_list(account=account),
    }, section="dashboard")


@login_required
@post_only("webui:dashboard")
def switch_account(request):
    slug = request.POST.get("account", "")
    if memberships_for_user(user=request.user).filter(account__slug=slug).exists():
        request.session[SESSION_KEY] = slug
    return redirect("webui:dashboard")
