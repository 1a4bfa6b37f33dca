"""Editing a PBX's own settings from the sources page: name, time zone, region, idle timeout, click-to-call."""
from django.urls import reverse

from hub.models import AuditEntry, CallControl, DriverKind
from tests.webui.conftest import enable_click_to_call

SECRET = "s3cr3t-client-value-9f2"


def _url(pbx) -> str:
    return reverse("webui:pbx-edit", args=[pbx.slug])


def _form(**changes) -> dict:
    values = {"name": "Acme Melbourne", "timezone": "Australia/Sydney", "default_region": "au",
              "idle_call_timeout": "7200", "driver": "", "base_url": "", "username": "", "secret": "",
              "context": "", "timeout_seconds": "10"}
    return values | changes


def test_the_sources_page_links_to_the_form_which_renders_for_the_owner(owner, world):
    assert _url(world.pbx) in owner.get(reverse("webui:sources")).content.decode()
    response = owner.get(_url(world.pbx))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Edit PBX settings" in page and "csrfmiddlewaretoken" in page
    assert 'value="Australia/Melbourne"' in page and 'name="idle_call_timeout"' in page and "Save settings" in page


def test_a_viewer_is_refused_the_form_and_the_post_and_changes_nothing(viewer, world):
    assert viewer.get(_url(world.pbx)).status_code == 403
    assert _url(world.pbx) not in viewer.get(reverse("webui:sources")).content.decode()
    response = viewer.post(_url(world.pbx), _form())
    assert response.status_code == 403
    world.pbx.refresh_from_db()
    assert world.pbx.name == "acme PBX" and world.pbx.timezone == "Australia/Melbourne"
    assert not AuditEntry.objects.filter(action="pbx.updated").exists()


def test_another_accounts_pbx_is_not_found(owner, admin, world):
    assert owner.get(_url(world.other_pbx)).status_code == 404
    assert admin.post(_url(world.other_pbx), _form()).status_code == 404
    world.other_pbx.refresh_from_db()
    assert world.other_pbx.timezone == "Australia/Melbourne" and world.other_pbx.name == "globex PBX"
    assert not AuditEntry.objects.exists()


def test_a_bad_time_zone_is_shown_next_to_the_field_and_nothing_is_saved(admin, world):
    response = admin.post(_url(world.pbx), _form(timezone="Mars/Olympus"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "expected an IANA name like Australia/Melbourne" in page and "field-error" in page
    assert admin.post(_url(world.pbx), _form(idle_call_timeout="30")).status_code == 200
    assert "not a two-letter region" in admin.post(_url(world.pbx), _form(default_region="ZZ")).content.decode()
    world.pbx.refresh_from_db()
    assert world.pbx.timezone == "Australia/Melbourne" and world.pbx.name == "acme PBX"
    assert not AuditEntry.objects.filter(action="pbx.updated").exists()


def test_a_good_update_saves_and_audits_the_changed_fields(admin, world):
    response = admin.post(_url(world.pbx), _form(timezone="+10:00"))
    assert response.status_code == 302 and response["Location"] == reverse("webui:sources")
    world.pbx.refresh_from_db()
    assert (world.pbx.name, world.pbx.timezone, world.pbx.default_region, world.pbx.idle_call_timeout) == (
        "Acme Melbourne", "+10:00", "AU", 7200)
    entry = AuditEntry.objects.get(action="pbx.updated")
    assert entry.actor == "adam@acme.test" and entry.object_id == str(world.pbx.pk)
    assert all(word in entry.summary for word in ("name", "time zone", "default region", "idle call timeout"))
    # Sending the same values again changes nothing and writes no second entry.
    admin.post(_url(world.pbx), _form(timezone="+10:00"))
    assert AuditEntry.objects.filter(action="pbx.updated").count() == 1


def test_turning_on_3cx_call_control_needs_its_credentials_and_audits_without_the_secret(admin, world):
    page = admin.post(_url(world.pbx), _form(driver="3cx", base_url="https://pbx.example.com", username="hub")).content.decode()
    assert "needs a client secret" in page and not CallControl.objects.exists()
    admin.post(_url(world.pbx), _form(driver="3cx", base_url="https://pbx.example.com", username="hub", secret=SECRET))
    control = CallControl.objects.get(pbx=world.pbx)
    assert (control.driver, control.base_url, control.username, control.secret) == (
        DriverKind.THREECX, "https://pbx.example.com", "hub", SECRET)
    summaries = " ".join(AuditEntry.objects.values_list("summary", flat=True))
    assert "call-control secret" in summaries and SECRET not in summaries


def test_the_secret_is_kept_when_blank_replaced_when_typed_and_never_rendered(owner, world):
    enable_click_to_call(world.pbx)
    CallControl.objects.filter(pbx=world.pbx).update(driver=DriverKind.ARI, base_url="http://ari.example:8088",
                                                     username="hub", secret=SECRET)
    page = owner.get(_url(world.pbx)).content.decode()
    assert SECRET not in page and "A secret is stored" in page and 'value="http://ari.example:8088"' in page
    ari = {"driver": "ari", "base_url": "http://ari.example:8088", "username": "hub", "context": "from-hub"}

    owner.post(_url(world.pbx), _form(**ari, secret=""))
    control = CallControl.objects.get(pbx=world.pbx)
    assert control.secret == SECRET and control.context == "from-hub"
    assert "secret" not in AuditEntry.objects.get(action="pbx.updated").summary

    owner.post(_url(world.pbx), _form(**ari, secret="a-new-password"))
    control.refresh_from_db()
    assert control.secret == "a-new-password"
    latest = AuditEntry.objects.filter(action="pbx.updated").first()
    assert "call-control secret" in latest.summary and "a-new-password" not in latest.summary

    # A page re-rendered with an error still does not echo the typed secret.
    page = owner.post(_url(world.pbx), _form(**ari, secret="typed-but-invalid", timezone="nowhere")).content.decode()
    assert "typed-but-invalid" not in page and "a-new-password" not in page
    assert SECRET not in owner.get(reverse("webui:sources")).content.decode()


def test_turning_click_to_call_off_removes_its_settings(admin, world):
    enable_click_to_call(world.pbx)
    admin.post(_url(world.pbx), _form(driver=""))
    assert not CallControl.objects.filter(pbx=world.pbx).exists()
    assert "turned click-to-call off" in AuditEntry.objects.get(action="pbx.updated").summary


def test_the_push_lateness_allowance_is_set_to_zero_audited_and_cleared_back_to_the_default(admin, world, settings):
    page = admin.get(_url(world.pbx)).content.decode()
    assert 'name="push_lateness_seconds"' in page and f'placeholder="{settings.PUSH_LATENESS_SECONDS}"' in page
    assert admin.post(_url(world.pbx), _form(push_lateness_seconds="0")).status_code == 302
    world.pbx.refresh_from_db()
    assert world.pbx.push_lateness_seconds == 0
    assert "push lateness allowance" in AuditEntry.objects.get(action="pbx.updated").summary
    response = admin.post(_url(world.pbx), _form(push_lateness_seconds="-1"))
    assert response.status_code == 200 and "field-error" in response.content.decode()
    assert admin.post(_url(world.pbx), _form(push_lateness_seconds="")).status_code == 302
    world.pbx.refresh_from_db()
    assert world.pbx.push_lateness_seconds is None
