from webui.pages import page, paginate
from webui.selectors.audit import OBJECT_KINDS, audit_search
from webui.tenancy import member_view


@member_view(owner_only=True)
def audit_log(request):
    kind, actor = request.GET.get("kind", ""), request.GET.get("actor", "")[:200]
    entries = audit_search(account=request.membership.account, kind=kind, actor=actor)
    return page(request, "webui/audit/list.html", {
        "page_obj": paginate(request, entries, per_page=50), "kinds": OBJECT_KINDS, "kind": kind, "actor": actor,
    }, section="audit")
