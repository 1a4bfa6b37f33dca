from webui.forms.audit import AuditFilterForm
from webui.pages import page, paginate
from webui.selectors.audit import audit_actions, audit_search
from webui.tenancy import member_view

FILTERS = ("kind", "action", "actor", "since", "until")


@member_view(owner_only=True)
def audit_log(request):
    account = request.membership.account
    form = AuditFilterForm(request.GET or None, actions=audit_actions(account=account))
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_search(account=account, **{name: filters.get(name) or None for name in ("since", "until")},
                           **{name: filters.get(name) or "" for name in ("kind", "action", "actor")})
    return page(request, "webui/audit/list.html", {
        "form": form, "page_obj": paginate(request, entries, per_page=50),
        "filtered": any(request.GET.get(name) for name in FILTERS),
    }, section="audit")
