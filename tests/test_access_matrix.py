"""The authorization matrix: every URL pattern x every role x objects of the own centre, another centre, unrelated.

Every route of the project (web pages and API routes) must have a row in ROUTES; a new route without one fails
`test_every_route_has_a_matrix_row`. For each row and role the test makes the request (inside a rolled-back
savepoint, so POSTs change nothing for the next role) and checks the outcome class:

- OK: the request was served (2xx, a redirect that is not to the login page, or a 4xx about the input or the
  case's state: 400, 409, 422);
- NOT_FOUND: 404 — a record the user may not see;
- FORBIDDEN: 403 — an action the user may not take on a record they can see;
- LOGIN: anonymous: a redirect to the login page (web) or 401 (API).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

import tests.access_rows
from tests.access_support import (
    APPLICANTS,
    DIRECTORS,
    EXPERTS,
    FORBIDDEN,
    INTAKE,
    LOGIN,
    NOT_FOUND,
    OK,
    ROLES,
    SEES_CASE_A,
    SEES_CASE_B,
    STAFF_SH,
    STAFF_ZJ,
    STAFFLIKE,
    Route,
    case_a,
    case_b,
    case_rule,
    only,
    public,
    signed_in,
)
from tests.factories import (
    ApplicantFactory,
    UserFactory,
    build_network,
    law_from_text,
    make_case,
    pdf_upload,
    staff,
)
from weiyuan.accounts.models import ApiToken, Membership
from weiyuan.accounts.services import totp_device_create
from weiyuan.cases import services
from weiyuan.cases.models import CaseAssignment
from weiyuan.core.choices import Role
from weiyuan.evidence.models import EvidenceFile
from weiyuan.evidence.services import evidence_store
from weiyuan.notifications.models import Notification

CONCLUDE = {"outcome": "", "result_letter": ""}  # invalid on purpose: an allowed role gets a form error, not a change
A_MAY_CONCLUDE = {"sh_handler", "sh_director"}  # the assigned handler and the director
A_MAY_PERSONAL = {"applicant_own", *STAFF_SH}
A_MAY_AUDIT = {"sh_director", "sh_handler", "sh_supervisor", "national_supervisor"}  # sh_handler is assigned
A_MAY_MESSAGE = {"applicant_own", *STAFF_SH}
A_MAY_EVIDENCE = {"applicant_own", *STAFF_SH}

ROUTES: dict[str, Route] = {
    # public pages and endpoints
    "healthz": Route("GET", expect=public),
    "set_language": Route("POST", data=lambda w: {"language": "en", "next": "/"}, expect=public),
    "core:home": Route("GET", expect=public),
    "network:directory": Route("GET", expect=public),
    "network:regions": Route("GET", query="q=浦东", expect=public),
    "network:route": Route("GET", query="region=310115&ip_type=trademark&service_type=consultation", expect=public),
    "network:centre": Route("GET", kwargs=lambda w: {"code": "sh"}, expect=public),
    "knowledge:law_index": Route("GET", expect=public),
    "knowledge:law": Route("GET", kwargs=lambda w: {"key": w["law"].key}, expect=public),
    "knowledge:article": Route("GET", kwargs=lambda w: {"key": w["law"].key, "number_text": "第二条"}, expect=public),
    "clocks:calculator": Route("GET", query="rule=acceptance&start=2026-02-10T09:00", expect=public),
    "accounts:login": Route("GET", expect=public),
    "accounts:register": Route("GET", expect=public),
    "accounts:resend_verification": Route("GET", expect=public),
    "accounts:verify_email": Route("GET", kwargs=lambda w: {"token": "not-a-valid-token"}, expect=public),
    "api:openapi-json": Route("GET", expect=public),
    "api:openapi-view": Route("GET", expect=public),
    # the user's own things
    "accounts:logout": Route("POST", expect=public),
    "accounts:logout_everywhere": Route("POST", expect=signed_in),
    "accounts:profile": Route("GET", expect=signed_in),
    "accounts:password_change": Route("GET", expect=signed_in),
    "accounts:two_factor_setup": Route("GET", expect=signed_in),
    "accounts:two_factor_verify": Route("GET", expect=signed_in),
    "accounts:two_factor_disable": Route(
        "POST",
        expect=lambda role: LOGIN if role == "anonymous" else (FORBIDDEN if role in DIRECTORS | {"admin"} else OK),
    ),
    "accounts:api_tokens": Route("GET", expect=signed_in),
    "accounts:api_token_revoke": Route(
        "POST",
        kwargs=lambda w: {"pk": w["token_of_applicant_own"].pk},
        expect=lambda role: {"anonymous": LOGIN, "applicant_own": OK}.get(role, NOT_FOUND),
    ),
    "notifications:inbox": Route("GET", expect=signed_in),
    "notifications:mark_all_read": Route("POST", expect=signed_in),
    "notifications:mark_read": Route(
        "POST",
        kwargs=lambda w: {"pk": w["notice_of_applicant_own"].pk},
        expect=lambda role: {"anonymous": LOGIN, "applicant_own": OK}.get(role, NOT_FOUND),
    ),
    "api:me": Route("GET", expect=signed_in),
    "api:api-root": Route("GET", expect=lambda role: NOT_FOUND),
    # intake and lists
    # Intake on the web is for applicants and centre staff; partners refer cases in through the API.
    "cases:intake_start": Route("GET", expect=only(INTAKE)),
    "cases:intake_route": Route(
        "GET", query="service_type=consultation&ip_type=trademark&region=310115", expect=only(INTAKE)
    ),
    "cases:region_options": Route("GET", query="q=3101", expect=signed_in),
    "cases:intake_form": Route("GET", expect=only(INTAKE)),
    "cases:intake_checks": Route("POST", expect=only(INTAKE)),
    "cases:my_cases": Route("GET", expect=signed_in),
    "cases:track": Route("GET", expect=signed_in),
    "cases:workbench": Route("GET", expect=only(APPLICANTS | STAFFLIKE | EXPERTS | {"volunteer"})),
    "cases:bulk_assign": Route("POST", expect=only({"sh_intake", "sh_director", "zj_intake", "zj_director"})),
    "api:case_list": Route("GET", expect=signed_in),
    "api:case_create": Route("POST", json=True, data=lambda w: {}, expect=signed_in),
    # centres and filing
    "network:centre_edit": Route("GET", kwargs=lambda w: {"code": "sh"}, expect=only({"sh_director", "admin"})),
    "network:filings": Route("GET", expect=only(DIRECTORS | {"admin"})),
    "network:filing_action": Route(
        "POST",
        kwargs=lambda w: {"code": "sh-pd"},
        data=lambda w: {"action": "revoke", "reason": ""},
        expect=only({"sh_director"}),
    ),
    # case A: the own centre of the sh_* roles
    "cases:detail": Route("GET", kwargs=case_a, expect=case_rule(SEES_CASE_A)),
    "cases:letter": Route(
        "GET",
        kwargs=lambda w: {"tracking_number": w["case_concluded"].tracking_number},
        expect=case_rule(SEES_CASE_A),
    ),
    "cases:audit": Route("GET", kwargs=case_a, expect=case_rule(SEES_CASE_A, A_MAY_AUDIT)),
    "cases:personal_data": Route("POST", kwargs=case_a, expect=case_rule(SEES_CASE_A, A_MAY_PERSONAL)),
    "cases:action": Route(
        "POST",
        kwargs=lambda w: {**case_a(w), "action": "conclude"},
        data=lambda w: CONCLUDE,
        expect=case_rule(SEES_CASE_A, A_MAY_CONCLUDE),
    ),
    "evidence:download": Route(
        "GET", kwargs=lambda w: {"evidence_id": w["evidence_a"].pk}, expect=case_rule(SEES_CASE_A, A_MAY_EVIDENCE)
    ),
    "api:case_detail": Route("GET", kwargs=case_a, expect=case_rule(SEES_CASE_A)),
    "api:case_transitions": Route("GET", kwargs=case_a, expect=case_rule(SEES_CASE_A)),
    "api:case_transition": Route(
        "POST",
        kwargs=lambda w: {**case_a(w), "action": "conclude"},
        json=True,
        data=lambda w: CONCLUDE,
        expect=case_rule(SEES_CASE_A, A_MAY_CONCLUDE),
    ),
    "api:case_messages": Route("GET", kwargs=case_a, expect=case_rule(SEES_CASE_A)),
    "api:case_message_post": Route(
        "POST", kwargs=case_a, json=True, data=lambda w: {"body": ""}, expect=case_rule(SEES_CASE_A, A_MAY_MESSAGE)
    ),
    # Everyone who sees the case sees the list (names, sizes, SHA-256); only A_MAY_EVIDENCE get download links.
    "api:case_evidence": Route("GET", kwargs=case_a, expect=case_rule(SEES_CASE_A)),
    "api:case_evidence_upload": Route(
        "POST",
        kwargs=case_a,
        data=lambda w: {"files": pdf_upload("matrix.pdf")},
        expect=case_rule(SEES_CASE_A, A_MAY_EVIDENCE),
    ),
    "api:evidence_download": Route(
        "GET", kwargs=lambda w: {"evidence_id": w["evidence_a"].pk}, expect=case_rule(SEES_CASE_A, A_MAY_EVIDENCE)
    ),
}

# The same case routes on case B, at another centre: the sh_* roles and case A's applicant must get 404.
OTHER_CENTRE_ROUTES: dict[str, Route] = {
    "cases:detail": Route("GET", kwargs=case_b, expect=case_rule(SEES_CASE_B)),
    "cases:audit": Route(
        "GET", kwargs=case_b, expect=case_rule(SEES_CASE_B, {"zj_director", "zj_supervisor", "national_supervisor"})
    ),
    "cases:personal_data": Route("POST", kwargs=case_b, expect=case_rule(SEES_CASE_B, STAFF_ZJ)),
    "cases:action": Route(
        "POST",
        kwargs=lambda w: {**case_b(w), "action": "reject"},
        data=lambda w: {"reason": "", "text": "", "fix": ""},
        expect=case_rule(SEES_CASE_B, STAFF_ZJ),
    ),
    "evidence:download": Route(
        "GET", kwargs=lambda w: {"evidence_id": w["evidence_b"].pk}, expect=case_rule(SEES_CASE_B, STAFF_ZJ)
    ),
    "api:case_detail": Route("GET", kwargs=case_b, expect=case_rule(SEES_CASE_B)),
    "api:case_transition": Route(
        "POST",
        kwargs=lambda w: {**case_b(w), "action": "reject"},
        json=True,
        data=lambda w: {"reason": "", "text": "", "fix": ""},
        expect=case_rule(SEES_CASE_B, STAFF_ZJ),
    ),
    "api:case_message_post": Route(
        "POST", kwargs=case_b, json=True, data=lambda w: {"body": ""}, expect=case_rule(SEES_CASE_B, STAFF_ZJ)
    ),
    "api:evidence_download": Route(
        "GET", kwargs=lambda w: {"evidence_id": w["evidence_b"].pk}, expect=case_rule(SEES_CASE_B, STAFF_ZJ)
    ),
}

# Rows of the other apps (tests/access_rows/*.py).
ROW_MODULES = [
    importlib.import_module(f"tests.access_rows.{m.name}") for m in pkgutil.iter_modules(tests.access_rows.__path__)
]
for _module in ROW_MODULES:
    ROUTES.update(_module.ROUTES)
    OTHER_CENTRE_ROUTES.update(getattr(_module, "OTHER_CENTRE_ROUTES", {}))


def all_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.app_name == "admin":
                    continue
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern):
                if p.name is None:
                    raise AssertionError(f"route {p.pattern} has no name: every route needs one for the matrix")
                names.add(namespace + p.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_route_has_a_matrix_row() -> None:
    missing = sorted(all_route_names() - set(ROUTES))
    assert not missing, f"routes without an access-matrix row: {missing}"
    stale = sorted(set(ROUTES) - all_route_names())
    assert not stale, f"matrix rows for routes that no longer exist: {stale}"


@pytest.fixture(scope="module")
def _matrix_media(tmp_path_factory: Any) -> Iterator[None]:
    """One media directory for the module's world (its evidence files are read by the download rows)."""
    media = str(tmp_path_factory.mktemp("matrix-media"))
    storages = {
        **django_settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": media}},
    }
    # The matrix runs with two-factor enforced, as in production.
    with override_settings(MEDIA_ROOT=media, STORAGES=storages, OTP_REQUIRED_FOR_PRIVILEGED=True):
        yield


@pytest.fixture(autouse=True)
def _media_and_caches(_matrix_media: None) -> None:
    """Overrides the per-test media directory of conftest: every row reads the files of the module's world."""


@pytest.fixture(scope="module")
def world(_matrix_media: None, django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Built once per module (per test worker) inside a transaction rolled back at the end: each row's requests
    run in their own savepoint and are rolled back too (`run_row`), so every row sees the same world."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def build_world() -> dict[str, Any]:
    network = build_network()
    w: dict[str, Any] = dict(network)
    w["applicant_own"] = ApplicantFactory()
    w["applicant_other"] = ApplicantFactory()
    w["zj_supervisor"] = staff(network["zhejiang"], Role.SUPERVISOR)
    w["expert_assigned"] = UserFactory()
    w["expert_other"] = UserFactory()
    w["partner"] = UserFactory()
    w["volunteer"] = UserFactory()
    for key, role in (
        ("expert_assigned", Role.EXPERT),
        ("expert_other", Role.EXPERT),
        ("partner", Role.PARTNER),
        ("volunteer", Role.VOLUNTEER),
    ):
        Membership.objects.create(user=w[key], centre=None, role=role, organisation="某合作单位")
    w["admin"] = UserFactory(is_superuser=True, is_staff=True)
    w["law"] = law_from_text(
        "# 中华人民共和国示例法\n\n2026年1月1日通过\n\n<!-- INFO END -->\n\n第一条 总则。\n\n第二条 依照本法第一条。\n"
    )
    for key in ("sh_director", "zj_director", "admin"):
        totp_device_create(user=w[key])

    case_a = make_case(network["shanghai"], w["applicant_own"], evidence=[pdf_upload()])
    case_a = services.case_accept(case=case_a, actor=network["sh_intake"])
    case_a = services.case_assign(case=case_a, actor=network["sh_director"], handler=network["sh_handler"])
    case_a = services.case_start(case=case_a, actor=network["sh_handler"])
    CaseAssignment.objects.create(
        case=case_a, user=w["expert_assigned"], kind="expert", task="比对商标", assigned_by=network["sh_director"]
    )
    w["case_a"] = case_a
    concluded = make_case(network["shanghai"], w["applicant_own"])
    concluded = services.case_accept(case=concluded, actor=network["sh_intake"])
    concluded = services.case_assign(case=concluded, actor=network["sh_director"], handler=network["sh_handler"])
    concluded = services.case_start(case=concluded, actor=network["sh_handler"])
    w["case_concluded"] = services.case_conclude(
        case=concluded, actor=network["sh_handler"], outcome="advice_given", result_letter="已就维权途径提供书面指导。"
    )
    w["evidence_a"] = EvidenceFile.objects_unscoped.filter(case=case_a).first()
    case_b = make_case(network["zhejiang"], ApplicantFactory())
    w["case_b"] = case_b
    w["evidence_b"] = evidence_store(upload=pdf_upload("b.pdf"), uploaded_by=network["zj_intake"], case=case_b)
    w["token_of_applicant_own"] = ApiToken.objects.create(
        user=w["applicant_own"], name="t", prefix="abcdefgh", token_hash="0" * 64
    )
    w["notice_of_applicant_own"] = Notification.objects.create(
        recipient=w["applicant_own"], kind="test", title="测试通知", body="内容"
    )
    for module in ROW_MODULES:
        if hasattr(module, "extend_world"):
            module.extend_world(w)
    return w


def client_for(world: dict[str, Any], role: str) -> Client:
    client = Client()
    if role == "anonymous":
        return client
    user = world[role]
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


def outcome(response: Any, api: bool) -> str:
    status = response.status_code
    if status == 404:
        return NOT_FOUND
    if status == 403:
        return FORBIDDEN
    if status == 401:
        return LOGIN
    if status in (301, 302, 303) and "/accounts/login/" in response.get("Location", ""):
        return LOGIN
    if status >= 500:
        return f"server error {status}"
    return OK


def run_row(world: dict[str, Any], name: str, route: Route, role: str) -> str:
    url = reverse(name, kwargs=route.kwargs(world) or None)
    if route.query:
        url += "?" + route.query
    client = client_for(world, role)
    with transaction.atomic():
        if route.method == "GET":
            response = client.get(url)
        elif route.json:
            response = client.post(url, route.data(world), content_type="application/json")
        else:
            response = client.post(url, route.data(world))
        transaction.set_rollback(True)
    return outcome(response, api=name.startswith("api:"))


def check_row(world: dict[str, Any], name: str, route: Route, label: str) -> None:
    wrong = {}
    for role in ROLES:
        got = run_row(world, name, route, role)
        if got != route.expect(role):
            wrong[role] = f"expected {route.expect(role)}, got {got}"
    assert not wrong, f"{name} ({label}): {wrong}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_matrix_own_centre_and_unrelated(world: dict[str, Any], name: str) -> None:
    check_row(world, name, ROUTES[name], "own centre and unrelated")


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(OTHER_CENTRE_ROUTES))
def test_matrix_other_centre(world: dict[str, Any], name: str) -> None:
    check_row(world, name, OTHER_CENTRE_ROUTES[name], "other centre")
