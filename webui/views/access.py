from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from hub.errors import HubError
from hub.net import client_ip, parse_network
from hub.services.access import allowed_network_add, allowed_network_remove
from webui.flash import post_only
from webui.forms.api import HISTORY_ENDPOINTS, NetworkForm, RequestBuilderForm
from webui.forms.common import add_service_error
from webui.pages import confirm_page, confirmed, page, paginate
from webui.selectors.access import allowed_network_list
from webui.tenancy import member_view


def _actor(request) -> str:
    return request.user.email or request.user.username


@member_view
def whitelist(request):
    account = request.membership.account
    form = NetworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row, created = allowed_network_add(account=account, address=form.cleaned_data["address"],
                                               note=form.cleaned_data["note"], actor=_actor(request), user=request.user)
        except HubError as exc:
            add_service_error(form, exc, fields={"address": "address"})
        else:
            if created:
                messages.success(request, f"Added {row.network} to the whitelist.")
            else:
                messages.info(request, f"{row.network} was already on the whitelist.")
            return redirect("webui:whitelist")
    networks = allowed_network_list(account=account)
    address = client_ip(request)
    return page(request, "webui/access/whitelist.html", {
        "form": form, "page_obj": paginate(request, networks), "your_address": address,
        "your_address_listed": any(_contains(n.network, address) for n in networks),
    }, section="api")


def _contains(network: str, address: str) -> bool:
    try:
        return parse_network(address).subnet_of(parse_network(network))
    except (ValueError, TypeError):
        return False


@member_view
@post_only("webui:whitelist")
def whitelist_remove(request, network_id: int):
    account = request.membership.account
    row = get_object_or_404(allowed_network_list(account=account), pk=network_id)
    if not confirmed(request):
        return confirm_page(request, title=f"Remove {row.network}?", action="Remove", section="api",
                            message="API requests from this address are refused at once.")
    allowed_network_remove(account=account, address=row.network, actor=_actor(request), user=request.user)
    messages.success(request, f"Removed {row.network} from the whitelist.")
    return redirect("webui:whitelist")


@member_view
def request_builder(request):
    form = RequestBuilderForm(request.GET or None)
    url = curl = None
    if form.is_valid():
        url_name, params = form.query()
        url = request.build_absolute_uri(reverse(url_name)) + "?" + urlencode(params)
        # Double quotes, so the shell fills in the key; the URL is percent-encoded, so no quote in it.
        curl = f'curl -s -H "Authorization: Bearer $HUB_API_KEY" \'{url}\''
    return page(request, "webui/access/builder.html", {
        "form": form, "url": url, "curl": curl, "endpoints": HISTORY_ENDPOINTS,
    }, section="api")
