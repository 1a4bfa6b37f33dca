from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from hub.errors import HubError
from hub.selectors.accounts import pbx_get
from hub.services.webui_components import component_delete as delete_component, component_save
from hub.services.webui_sources import ingest_source_delete, ingest_source_save
from webui.flash import post_only
from webui.forms.common import add_service_error
from webui.forms.sources import ComponentForm, SourceForm
from webui.pages import confirm_page, confirmed, page
from webui.selectors.sources import component_list, ingest_sources, pbxes_with_sources
from webui.tenancy import member_view


def _push_urls(request, pbx) -> dict:
    token = pbx.ingest_token
    return {"native": request.build_absolute_uri(reverse("ingest-events", args=[token])),
            "plugin": request.build_absolute_uri(reverse("ingest-3cx-webhook", args=[token]))}


@member_view
def source_list(request):
    account = request.membership.account
    pbxes = list(pbxes_with_sources(account=account))
    # Push URLs carry the PBX's token: a credential, so only editors see it.
    push = {pbx.pk: _push_urls(request, pbx) for pbx in pbxes} if request.membership.can_edit else {}
    return page(request, "webui/sources/list.html", {
        "pbxes": [(pbx, push.get(pbx.pk)) for pbx in pbxes], "components": component_list(account=account),
    }, section="sources")


def _source_form_page(request, form, pbx, source=None):
    return page(request, "webui/sources/source_form.html", {"form": form, "pbx": pbx, "source": source}, section="sources")


def _save_source(request, form, pbx, source=None):
    try:
        ingest_source_save(account=request.membership.account, user=request.user, pbx=pbx, values=form.values(), source=source)
    except HubError as exc:
        add_service_error(form, exc)
        return None
    messages.success(request, "Source saved. The ingest process picks it up within seconds.")
    return redirect("webui:sources")


@member_view(editors_only=True)
def source_new(request, pbx_slug: str):
    pbx = pbx_get(account=request.membership.account, slug=pbx_slug)
    form = SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (done := _save_source(request, form, pbx)):
        return done
    return _source_form_page(request, form, pbx)


def _source(request, source_id):
    return get_object_or_404(ingest_sources(account=request.membership.account), pk=source_id)


@member_view(editors_only=True)
def source_edit(request, source_id: int):
    source = _source(request, source_id)
    form = SourceForm(request.POST) if request.method == "POST" else SourceForm(initial=SourceForm.initial_from(source))
    if request.method == "POST" and form.is_valid() and (done := _save_source(request, form, source.pbx, source)):
        return done
    return _source_form_page(request, form, source.pbx, source)


@member_view
@post_only("webui:sources")
def source_delete(request, source_id: int):
    source = _source(request, source_id)
    if not confirmed(request):
        return confirm_page(request, title="Remove this source?", action="Remove source", section="sources",
                            message="The hub stops reading it. Calls and events already read stay.")
    ingest_source_delete(account=request.membership.account, user=request.user, source=source)
    messages.success(request, "Source removed.")
    return redirect("webui:sources")


def _component_form_page(request, form, component=None):
    return page(request, "webui/sources/component_form.html", {"form": form, "component": component}, section="sources")


def _save_component(request, form, component=None):
    try:
        component_save(account=request.membership.account, user=request.user, values=form.cleaned_data, component=component)
    except HubError as exc:
        add_service_error(form, exc)
        return None
    messages.success(request, f"Component “{form.cleaned_data['name']}” saved.")
    return redirect(reverse("webui:sources") + "#components")


@member_view(editors_only=True)
def component_new(request):
    form = ComponentForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (done := _save_component(request, form)):
        return done
    return _component_form_page(request, form)


@member_view(editors_only=True)
def component_edit(request, component_id: int):
    component = get_object_or_404(component_list(account=request.membership.account), pk=component_id)
    form = ComponentForm(request.POST) if request.method == "POST" else ComponentForm(initial=ComponentForm.initial_from(component))
    if request.method == "POST" and form.is_valid() and (done := _save_component(request, form, component)):
        return done
    return _component_form_page(request, form, component)


@member_view
@post_only("webui:sources")
def component_delete(request, component_id: int):
    component = get_object_or_404(component_list(account=request.membership.account), pk=component_id)
    if not confirmed(request):
        return confirm_page(request, title=f"Delete “{component.name}”?", action="Delete component", section="sources",
                            message="Calls stop firing webhook_component_event for it.")
    delete_component(account=request.membership.account, user=request.user, component=component)
    messages.success(request, f"Deleted “{component.name}”.")
    return redirect(reverse("webui:sources") + "#components")
