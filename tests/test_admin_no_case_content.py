"""The Django admin shows no case content and changes no share, grant, membership or audit
record outside the audited services, platform superusers included (issue 13, Admin).

Generated: the walk covers every model registered in admin.site, and the needles are read
from the database, so a model registered later or a case seeded later is covered too.
"""
import html

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.test import RequestFactory
from django.urls import NoReverseMatch, resolve, reverse

from agencies.models import Agency, Membership
from audit.models import AuditEvent
from cases.access import Action, can
from cases.models import Case, CaseGroupObjectPermission, CaseShare, CaseUserObjectPermission, Document, Note, Party
from cases.services import case_update
from notifications.models import OutboxEvent

MODEL_ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower)
OBJECTS_PER_MODEL = 4
ANSWERS = {200, 302, 403, 404}


def _needles() -> set[str]:
    texts = set()
    for case in Case.objects.values("title", "summary", "h3_conditions"):
        texts.update(case.values())
    texts.update(Note.objects.values_list("text", flat=True))
    texts.update(Party.objects.values_list("name", flat=True))
    for document in Document.objects.values("title", "original_filename"):
        texts.update(document.values())
    return {text for text in texts if text}


def _leaks(body: str, needles: set[str]) -> list[str]:
    return [needle for needle in needles if needle in body or html.escape(needle) in body]


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _sample(model) -> list:
    # Every case (the content-bearing model); the oldest and newest few rows of anything else.
    rows = model._default_manager.order_by("pk")
    if model is Case:
        return list(rows)
    return list({obj.pk: obj for obj in [*rows[:OBJECTS_PER_MODEL], *rows.reverse()[:OBJECTS_PER_MODEL]]}.values())


@pytest.fixture
def superuser(client, cast):
    client.force_login(cast["admin"])
    return client


@pytest.fixture
def altered_case(cast, matrix_case):
    """An edit through the service, so the newest audit record holds case text in `changes`."""
    case = matrix_case("owned")
    return case_update(actor=cast["rtm.officer"], case_id=case.pk, version=case.version,
                       title="Renamed for the admin walk", summary="A summary the admin must not show")


def test_the_cast_has_content_to_look_for(db):
    needles = _needles()
    assert Case.objects.filter(restricted=True).exists() and Case.objects.exclude(h3_conditions="").exists()
    assert Note.objects.exists() and Party.objects.exists() and Document.objects.exists()
    assert len(needles) > Case.objects.count()


@pytest.mark.parametrize("model", [model for model, _model_admin in MODEL_ADMINS], ids=lambda model: model._meta.label)
def test_every_admin_page_answers_without_case_content(superuser, altered_case, model):
    needles = _needles()
    assert altered_case.title in needles
    changelist = superuser.get(_url(model, "changelist"))
    assert changelist.status_code == 200
    pages = {"changelist": changelist}
    for obj in _sample(model):
        for view in ("change", "history", "delete"):
            pages[f"{view} {obj.pk}"] = superuser.get(_url(model, view, quote(obj.pk)))
    for page, response in pages.items():
        assert response.status_code in ANSWERS, page
        assert not _leaks(response.content.decode(), needles), page


def test_admin_index_and_app_pages_answer_without_case_content(superuser):
    needles = _needles()
    app_labels = {model._meta.app_label for model, _model_admin in MODEL_ADMINS}
    urls = [reverse("admin:index")] + [reverse("admin:app_list", args=[label]) for label in sorted(app_labels)]
    for url in urls:
        response = superuser.get(url)
        assert response.status_code == 200, url
        assert not _leaks(response.content.decode(), needles), url


def test_case_pages_show_reference_owner_status_and_handling_code_only(superuser):
    case = Case.objects.exclude(h3_conditions="").order_by("pk").first()
    body = superuser.get(_url(Case, "change", case.pk)).content.decode()
    for field in ("reference", "owner_agency", "status", "handling_code"):
        assert f"field-{field}" in body
    for field in ("title", "summary", "h3_conditions", "restricted", "port", "legal_basis"):
        assert f"field-{field}" not in body
    assert case.reference in body
    changelist = superuser.get(_url(Case, "changelist")).content.decode()
    assert all(reference in changelist for reference in Case.objects.values_list("reference", flat=True)[:20])


def test_outbox_shows_the_case_reference(superuser):
    event = OutboxEvent.objects.filter(case__isnull=False).select_related("case").order_by("pk").first()
    assert event is not None
    assert event.case.reference in superuser.get(_url(OutboxEvent, "changelist")).content.decode()
    assert event.case.reference in superuser.get(_url(OutboxEvent, "change", event.pk)).content.decode()


def test_audit_event_page_hides_changes_and_keeps_justification(superuser, altered_case):
    event = AuditEvent.objects.filter(action="case_update", object_id=str(altered_case.pk)).get()
    assert altered_case.title in str(event.changes)
    body = superuser.get(_url(AuditEvent, "change", event.pk)).content.decode()
    assert "field-justification" in body and "field-object_id" in body
    assert "field-changes" not in body


def test_str_of_a_case_is_its_reference(db):
    case = Case.objects.order_by("pk").first()
    assert str(case) == case.reference


# --- No guardian screens --------------------------------------------------------------------

@pytest.mark.parametrize("suffix", ["permissions/", "permissions/user-manage/1/", "permissions/group-manage/1/"])
def test_no_guardian_permission_screen_for_a_case(superuser, cast, matrix_case, suffix):
    case = matrix_case("restricted")
    url = f"{_url(Case, 'changelist')}{case.pk}/{suffix}"
    assert not resolve(url).func.__module__.startswith("guardian")
    assert superuser.get(url).status_code == 404
    grants = CaseUserObjectPermission.objects.count(), CaseGroupObjectPermission.objects.count()
    response = superuser.post(url, {"user": "admin", "permissions": ["view_case"], "submit_manage_user": "1"})
    assert response.status_code == 404
    assert (CaseUserObjectPermission.objects.count(), CaseGroupObjectPermission.objects.count()) == grants
    assert not can(cast["admin"], Action.VIEW, case)


@pytest.mark.parametrize(("name", "args"), [("permissions", ["x"]), ("permissions_manage_user", ["x", "1"]),
                                           ("permissions_manage_group", ["x", "1"])])
def test_no_guardian_url_is_named(name, args):
    with pytest.raises(NoReverseMatch):
        reverse(f"admin:cases_case_{name}", args=args)


# --- No deletes or direct edits of what the services own ------------------------------------

def _owned_by_services(model) -> bool:
    label = model._meta.label_lower
    return (
        model._meta.app_label == "audit"
        or label in {"cases.caseshare", "cases.casegrant", "agencies.membership"}
        or label.endswith("objectpermission")
        or "custody" in label
    )


SERVICE_OWNED = [(model, model_admin) for model, model_admin in MODEL_ADMINS if _owned_by_services(model)]
# Deleting a user would take their memberships and named grants with it.
NOT_DELETED = SERVICE_OWNED + [(model, model_admin) for model, model_admin in MODEL_ADMINS
                               if model._meta.label_lower == "auth.user"]


def _labels(pairs) -> list[str]:
    return [model._meta.label for model, _model_admin in pairs]


def _request_as(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_the_service_owned_models_are_registered():
    assert {"cases.CaseShare", "audit.AuditEvent", "agencies.Membership"} <= set(_labels(SERVICE_OWNED))
    assert "auth.User" in _labels(NOT_DELETED)


@pytest.mark.parametrize(("model", "model_admin"), SERVICE_OWNED, ids=_labels(SERVICE_OWNED))
def test_service_owned_records_are_not_edited_in_the_admin(cast, model, model_admin):
    request = _request_as(cast["admin"])
    assert not model_admin.has_change_permission(request, model._default_manager.order_by("pk").first())
    if model is not Membership:  # a membership is added through membership_set_role (below)
        assert not model_admin.has_add_permission(request)


@pytest.mark.parametrize(("model", "model_admin"), NOT_DELETED, ids=_labels(NOT_DELETED))
def test_no_delete_in_the_admin(superuser, cast, model, model_admin):
    request = _request_as(cast["admin"])
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None
    assert not model_admin.has_delete_permission(request, obj)
    assert "delete_selected" not in model_admin.get_actions(request)

    assert superuser.post(_url(model, "delete", quote(obj.pk)), {"post": "yes"}).status_code == 403
    superuser.post(_url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
    assert model._default_manager.filter(pk=obj.pk).exists()


def test_deleting_a_share_in_the_admin_leaves_share_and_grants_in_place(superuser):
    share = CaseShare.objects.select_related("agency").order_by("pk").first()
    grants = CaseGroupObjectPermission.objects.filter(content_object=share.case_id, group=share.agency.group_id)
    held = grants.count()
    assert held > 0
    assert superuser.post(_url(CaseShare, "delete", share.pk), {"post": "yes"}).status_code == 403
    assert CaseShare.objects.filter(pk=share.pk, level=share.level).exists()
    assert grants.count() == held


def test_deleting_an_audit_event_in_the_admin_keeps_it(superuser):
    event = AuditEvent.objects.order_by("pk").first()
    assert superuser.post(_url(AuditEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk, content_hash=event.content_hash).exists()


# --- Memberships: through membership_set_role only ------------------------------------------

def test_a_role_set_in_the_admin_goes_through_the_audited_service(superuser, cast):
    analyst = cast["rtm.analyst"]
    rtm = Agency.objects.get(code="NL-CUS-RTM")
    before = Membership.objects.get(user=analyst, active=True)
    records = AuditEvent.objects.filter(action="membership_set_role", recipient=analyst.username)
    assert not records.filter(actor=cast["admin"]).exists()

    response = superuser.post(_url(Membership, "add"), {"user": analyst.pk, "agency": rtm.pk, "role": "officer"})

    assert response.status_code == 302
    current = Membership.objects.get(user=analyst, active=True)
    assert (current.agency, current.role) == (rtm, "officer")
    before.refresh_from_db()
    assert (before.active, before.role) == (False, "analyst")  # retired, not rewritten or deleted
    record = records.get(actor=cast["admin"])
    assert record.object_id == str(current.pk)
    assert record.changes == {"before": {"agency": "NL-CUS-RTM", "role": "analyst"},
                              "after": {"agency": "NL-CUS-RTM", "role": "officer"}}


def test_a_membership_cannot_be_edited_in_place(superuser, cast):
    membership = Membership.objects.get(user=cast["rtm.analyst"], active=True)
    response = superuser.post(_url(Membership, "change", membership.pk),
                              {"user": membership.user_id, "agency": membership.agency_id, "role": "agency_admin"})
    assert response.status_code == 403
    membership.refresh_from_db()
    assert (membership.role, membership.active) == ("analyst", True)


def test_the_agency_inline_does_not_edit_or_delete_members(superuser, cast):
    rtm = Agency.objects.get(code="NL-CUS-RTM")
    members = list(rtm.memberships.order_by("pk").values_list("pk", "role", "active"))
    form = {"code": rtm.code, "name": rtm.name, "kind": rtm.kind, "country": rtm.country, "active": "on",
            "justify_foreign_consultation": "on", "justify_exports": "on",
            "session_idle_minutes": str(rtm.session_idle_minutes),
            "memberships-TOTAL_FORMS": str(len(members)), "memberships-INITIAL_FORMS": str(len(members))}
    for index, (pk, _role, _active) in enumerate(members):
        form |= {f"memberships-{index}-id": pk, f"memberships-{index}-agency": rtm.pk,
                 f"memberships-{index}-role": "agency_admin", f"memberships-{index}-DELETE": "on"}
    response = superuser.post(_url(Agency, "change", rtm.pk), form)
    assert response.status_code == 302
    assert list(rtm.memberships.order_by("pk").values_list("pk", "role", "active")) == members
