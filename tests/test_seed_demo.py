"""The demo network: loads through the real services, is idempotent, and covers every state and role."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from weiyuan.accounts.models import AgentAuthorisation, Membership, User
from weiyuan.audit.models import AuditEvent
from weiyuan.audit.selectors import BrokenLink, audit_chain_verify
from weiyuan.cases.models import Case, CaseEvent, CaseMessage, CaseShare, CaseState, ServiceType
from weiyuan.clocks.models import Clock
from weiyuan.core.choices import ApplicantKind, Channel, IPType, Role
from weiyuan.core.demo_content import DEMO_PASSWORD, demo_totp_key
from weiyuan.core.validators import validate_credit_code, validate_id_number
from weiyuan.evidence.models import EvidenceFile
from weiyuan.network.models import Centre, CentreKind, FilingStatus, WorkstationSite


def _counts() -> dict[str, int]:
    return {
        "centres": Centre.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "cases": Case.objects_unscoped.count(),
        "events": CaseEvent.objects.count(),
        "messages": CaseMessage.objects.count(),
        "clocks": Clock.objects.count(),
        "evidence": EvidenceFile.objects_unscoped.count(),
        "audit": AuditEvent.objects.count(),
        "totp": TOTPDevice.objects.count(),
    }


@pytest.fixture(scope="module")
def _module_media(tmp_path_factory: Any) -> Iterator[None]:
    """One media directory for the module: the demo's letters and evidence are read by later tests."""
    media = str(tmp_path_factory.mktemp("demo-media"))
    storages = {
        **django_settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": media}},
    }
    with override_settings(MEDIA_ROOT=media, STORAGES=storages):
        yield


@pytest.fixture(autouse=True)
def _media_and_caches(_module_media: None) -> None:
    """Overrides the per-test media directory of conftest (the seeded files live in the module's)."""


@pytest.fixture(scope="module")
def _seeded_module(_module_media: None, django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """Seed once for the module inside a transaction that is rolled back at the end (each test nests a savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", stdout=out, stderr=StringIO())
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_module: str, db: Any) -> str:
    return _seeded_module


def test_demo_logins_before_seeding_says_so(db: Any) -> None:
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "seed_demo" in out.getvalue()
    assert DEMO_PASSWORD not in out.getvalue()


@pytest.mark.django_db
def test_seed_runs_twice_and_changes_nothing_the_second_time(seeded: str) -> None:
    assert "Demo network loaded" in seeded
    before = _counts()
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    assert "already present" in out.getvalue()
    assert _counts() == before
    assert 180 <= before["cases"] <= 220


@pytest.mark.django_db
def test_every_state_service_ip_type_and_channel_appears(seeded: str) -> None:
    cases = Case.objects_unscoped
    assert set(cases.values_list("state", flat=True)) == set(CaseState.values)
    assert set(cases.values_list("ip_type", flat=True)) == set(IPType.values)
    assert set(cases.values_list("channel", flat=True)) == set(Channel.values)
    assert set(cases.values_list("service_type__code", flat=True)) == set(
        ServiceType.objects.values_list("code", flat=True)
    )
    # Spread over the centres and over past months, with co-handling, messages and evidence.
    assert cases.values("centre").distinct().count() >= 12
    oldest = cases.order_by("created_at").first()
    newest = cases.order_by("-created_at").first()
    assert oldest and newest and (newest.created_at - oldest.created_at).days >= 90
    assert CaseShare.objects.exists()
    assert CaseMessage.objects.filter(internal=False).exists() and CaseMessage.objects.filter(internal=True).exists()
    assert EvidenceFile.objects_unscoped.filter(case__isnull=False).count() >= 10
    assert cases.exclude(transferred_from=None).exists()


@pytest.mark.django_db
def test_every_role_has_a_demo_account_with_the_demo_password(seeded: str) -> None:
    roles = set(Membership.objects.filter(user__email__endswith=".demo").values_list("role", flat=True))
    assert roles == set(Role.values)
    kinds = set(
        User.objects.filter(email__endswith=".demo").exclude(applicant_kind="").values_list("applicant_kind", flat=True)
    )
    assert kinds == set(ApplicantKind.values)
    assert User.objects.filter(email="admin@weiyuan.demo", is_superuser=True).exists()
    for email in (
        "director@sh.demo",
        "intake@sh.demo",
        "handler@sh.demo",
        "supervisor@national.demo",
        "company@weiyuan.demo",
    ):
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD), email
    company = User.objects.get(email="company@weiyuan.demo")
    validate_credit_code(company.credit_code)
    validate_id_number(User.objects.get(email="person@weiyuan.demo").id_number or "")
    authorisation = AgentAuthorisation.objects.get(agent__email="agent@weiyuan.demo")
    assert authorisation.power_of_attorney.content_type == "application/pdf"
    # Each README applicant sees several of their own cases.
    for email in ("company@weiyuan.demo", "person@weiyuan.demo", "agent@weiyuan.demo"):
        user = User.objects.get(email=email)
        assert Case.objects.restrict(user).count() >= 4, email


@pytest.mark.django_db
def test_directors_and_admin_have_fixed_totp_devices(seeded: str) -> None:
    directors = User.objects.filter(memberships__role=Role.DIRECTOR).distinct()
    for user in [*directors, User.objects.get(email="admin@weiyuan.demo")]:
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        assert device.key == demo_totp_key(user.email or "")
    assert not TOTPDevice.objects.filter(user__email="intake@sh.demo").exists()


@pytest.mark.django_db
def test_network_filing_flow_and_tree(seeded: str) -> None:
    national = Centre.objects.get(code="cnipa-guidance")
    assert national.kind == CentreKind.NATIONAL_CENTRE and national.region_id == "110000" and national.parent is None
    workstations = Centre.objects.filter(kind=CentreKind.WORKSTATION)
    assert workstations.count() == 6
    assert {w.site for w in workstations} >= set(WorkstationSite.values) - {""}
    statuses = sorted(workstations.values_list("filing_status", flat=True))
    assert statuses.count(FilingStatus.SUBMITTED) == 1 and statuses.count(FilingStatus.RETURNED) == 1
    assert Centre.objects.exclude(kind=CentreKind.WORKSTATION).exclude(filing_status=FilingStatus.APPROVED).count() == 0
    # Every centre's path is its parent's path plus its id, and only approved centres hold cases.
    for centre in Centre.objects.select_related("parent"):
        parent_path = centre.parent.path if centre.parent else "/"
        assert centre.path == f"{parent_path}{centre.pk}/"
    assert not Case.objects_unscoped.exclude(centre__filing_status=FilingStatus.APPROVED).exists()
    # The filing decisions were taken by the parent's director (the admin for the root).
    returned = Centre.objects.get(filing_status=FilingStatus.RETURNED)
    filing = returned.filings.first()
    assert filing and filing.decision_reason
    assert (
        filing.decided_by and filing.decided_by.memberships.filter(centre=returned.parent, role=Role.DIRECTOR).exists()
    )


@pytest.mark.django_db
def test_demo_history_is_consistent(seeded: str) -> None:
    # Every timeline is in time order, clocks are some overdue and some due soon, and the audit chains verify.
    from django.utils import timezone

    now = timezone.now()
    for case in Case.objects_unscoped.prefetch_related("events")[:60]:
        times = [e.created_at for e in case.events.all()]
        assert times == sorted(times)
        assert all(t <= now for t in times)
    running = Clock.objects.filter(state="running")
    assert running.filter(due_at__lt=now).exists()
    assert running.filter(due_at__gte=now).exists()
    assert not [x for x in audit_chain_verify() if isinstance(x, BrokenLink)]


@pytest.mark.django_db
def test_demo_logins_prints_the_accounts_from_the_database(seeded: str) -> None:
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for login in (
        "director@sh.demo",
        "intake@sh.demo",
        "handler@sh.demo",
        "admin@weiyuan.demo",
        "company@weiyuan.demo",
    ):
        assert login in text
    assert DEMO_PASSWORD in text
    assert "totp_code director@sh.demo" in text
    # A changed password is not printed as the demo password.
    user = User.objects.get(email="intake@sh.demo")
    user.set_password("another-secret-2026")
    user.save()
    out = StringIO()
    call_command("demo_logins", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if "intake@sh.demo" in line)
    assert DEMO_PASSWORD not in line and "?" in line


@pytest.mark.django_db
def test_the_demo_issues_one_opinion_letter_and_leaves_one_draft(seeded: str) -> None:
    import hashlib

    from weiyuan.opinions.demo import opinions_demo_seed
    from weiyuan.opinions.models import Opinion

    issued = Opinion.objects_unscoped.select_related("author", "signer").get(state="issued")
    assert issued.author.email == "expert@weiyuan.demo"
    assert issued.verdict == "equivalent" and issued.number.startswith("WYOP-")
    assert issued.basis.count() == 3
    assert hashlib.sha256(issued.letter.open("rb").read()).hexdigest() == issued.letter_sha256
    assert Opinion.objects_unscoped.filter(state="draft").count() == 1
    assert AuditEvent.objects.filter(action="opinion.generate").count() == 1
    assert "Demo opinions:" in seeded
    assert opinions_demo_seed(log=lambda line: None) == "Demo opinions already present: nothing changed."


@pytest.mark.django_db
def test_the_demo_signs_one_major_dispute_panel(seeded: str) -> None:
    from weiyuan.panels.demo import panels_demo_seed
    from weiyuan.panels.models import Panel, PanelState

    panel = Panel.objects.select_related("case").get()
    assert panel.state == PanelState.SIGNED and panel.pdf and panel.case.is_major
    assert panel.members.count() == 3
    chair = panel.members.get(is_chair=True)
    assert chair.user is not None and chair.user.email == "expert@weiyuan.demo"
    assert "signed for case" in seeded
    assert panels_demo_seed(log=lambda line: None) == "Major-dispute panels: already present."


@pytest.mark.django_db
def test_the_demo_has_answered_surveys_due_and_done_return_visits_and_one_complaint(seeded: str) -> None:
    from weiyuan.feedback.demo import feedback_demo_seed
    from weiyuan.feedback.models import ReturnVisit, ServiceComplaint, Survey

    assert Survey.objects.filter(answered_at__isnull=False).count() >= 3
    assert Survey.objects.filter(answered_at__isnull=True).exists()
    assert ReturnVisit.objects.filter(state="done").count() >= 2
    assert ReturnVisit.objects.filter(state="pending").exists()
    complaint = ServiceComplaint.objects.select_related("centre").get()
    assert complaint.handling_centre_id == complaint.centre.parent_id
    assert "Feedback:" in seeded
    assert feedback_demo_seed(log=lambda line: None) == "Feedback: demo feedback already present."


@pytest.mark.django_db
def test_the_demo_platform_holds_the_demo_companys_notices_in_every_state(seeded: str) -> None:
    from django.utils import timezone

    from weiyuan.ecommerce.demo import PLATFORM_EMAIL, ecommerce_demo_seed
    from weiyuan.ecommerce.models import Listing, Notice
    from weiyuan.ecommerce.selectors import platform_inbox

    account = User.objects.get(email=PLATFORM_EMAIL)
    notices = Notice.objects.filter(sender__email="company@weiyuan.demo", platform__members__user=account)
    assert sorted(notices.values_list("state", flat=True)) == ["draft"] + ["sent"] * 5
    listings = Listing.objects.filter(notice__in=notices)
    assert set(listings.values_list("state", flat=True)) == {
        "draft",
        "notified",
        "measures_taken",
        "rejected",
        "counter_noticed",
        "complaint_filed",
        "restored",
    }
    assert listings.get(state="counter_noticed").wait_due_at > timezone.now()  # the 15-day wait is running
    assert listings.get(state="restored").restoration_confirmed_at is not None
    assert len(list(platform_inbox(user=account))) == 5
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert PLATFORM_EMAIL in out.getvalue()
    assert "E-commerce notices: 6 demo notices" in seeded
    assert ecommerce_demo_seed(log=lambda line: None) == "E-commerce notices: demo notices already present."


def test_the_demo_evaluation_and_statistics_read_the_demo_cases(seeded: str) -> None:
    from weiyuan.evaluation.models import Assessment, AssessmentState, EvaluationScheme
    from weiyuan.kpis.models import KpiMonth

    scheme = EvaluationScheme.objects.get()
    states = dict(Assessment.objects.filter(scheme=scheme).values_list("centre__code", "state"))
    assert states["sh-assist"] == AssessmentState.FINALISED and states["zj-assist"] == AssessmentState.SUBMITTED
    finalised = Assessment.objects.get(scheme=scheme, centre__code="sh-assist")
    acceptance = finalised.items.get(indicator__code="acceptance")
    assert acceptance.score is not None and acceptance.score > 0  # computed from the demo cases' KPIs
    assert KpiMonth.objects.filter(subtree=True, centre__parent=None).exists()
