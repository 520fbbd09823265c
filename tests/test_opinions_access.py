"""Who may do what with opinions (weiyuan/access/opinions.py), on the web: roles x actions, own centre / other
centre / unrelated. 404 for a record the user may not see, 403 for an action they may not take, 409 for a guard."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import ApplicantFactory, UserFactory, staff
from tests.opinions_support import charted, new_opinion, opinion_world, reviewed, signed
from weiyuan.accounts.models import Membership
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.models import CaseShare
from weiyuan.core.choices import Role
from weiyuan.opinions import services
from weiyuan.opinions.models import Opinion

pytestmark = pytest.mark.django_db

ACTIONS = ("list", "detail", "create", "edit", "review", "sign", "download")

# role -> expected status per action (list, detail, create, edit, review, sign, download).
EXPECTED: dict[str, tuple[int, ...]] = {
    "handler": (200, 200, 200, 200, 302, 403, 200),  # the assigned handler
    "other_handler": (200, 200, 403, 403, 403, 403, 200),  # staff of the centre, not assigned
    "intake": (200, 200, 403, 403, 403, 403, 200),
    "director": (200, 200, 403, 403, 403, 302, 200),
    "expert": (200, 200, 200, 200, 409, 403, 200),  # the author, with a task: never reviews their own
    "expert2": (200, 200, 200, 403, 302, 403, 200),  # a second expert with a task
    "expert_without_task": (404, 404, 404, 404, 404, 404, 404),
    "co_handler": (200, 200, 403, 403, 403, 403, 200),  # staff of a centre the case is shared with
    "applicant": (200, 404, 403, 404, 404, 404, 200),  # issued letters only
    "other_applicant": (404,) * 7,
    "partner": (404,) * 7,
    "zj_director": (404,) * 7,  # another centre
    "sh_supervisor": (200, 404, 403, 404, 404, 404, 200),  # issued letters only
    "zj_supervisor": (404,) * 7,  # supervisor of another subtree
    "anonymous": (302,) * 7,  # to the login page
}


def _issue_without_rendering(opinion: Opinion) -> Opinion:
    """An issued opinion with a stored letter, without running WeasyPrint (test_opinions_pdf.py renders real ones)."""
    opinion.letter.save("letter.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    opinion.letter_sha256, opinion.letter_size = "a" * 64, 13
    opinion.letter_generated_at, opinion.state = timezone.now(), "issued"
    opinion.save()
    return opinion


@pytest.fixture
def w(network: dict[str, Any], settings: Any) -> dict[str, Any]:
    settings.OTP_REQUIRED_FOR_PRIVILEGED = False
    w = opinion_world(network)
    w["handler"], w["director"], w["intake"] = network["sh_handler"], network["sh_director"], network["sh_intake"]
    w["other_handler"] = staff(network["shanghai"], Role.HANDLER)
    w["other_applicant"] = ApplicantFactory()
    w["partner"] = UserFactory()
    Membership.objects.create(user=w["partner"], centre=None, role=Role.PARTNER, organisation="某法院")
    w["zj_supervisor"] = staff(network["zhejiang"], Role.SUPERVISOR)
    w["co_handler"] = staff(network["pudong"], Role.HANDLER)
    CaseShare.objects.create(
        case=w["case"], centre=network["pudong"], reason="协同比对", granted_by=network["sh_director"]
    )
    w["draft"] = new_opinion(w, w["expert"])
    submitted = charted(w)
    w["submitted"] = services.opinion_act(opinion=submitted, actor=w["expert"], action="submit")
    w["reviewed"] = reviewed(w)
    w["issued"] = _issue_without_rendering(signed(w))
    return w


def request(w: dict[str, Any], role: str, action: str) -> int:
    client = Client()
    if role != "anonymous":
        client.force_login(w[role])
    tn = w["case"].tracking_number
    with transaction.atomic():
        if action == "list":
            response = client.get(f"/cases/{tn}/opinions/")
        elif action == "detail":
            response = client.get(f"/opinions/{w['draft'].pk}/")
        elif action == "create":
            response = client.get(f"/cases/{tn}/opinions/new/")
        elif action == "edit":
            response = client.get(f"/opinions/{w['draft'].pk}/chart/")
        elif action == "review":
            response = client.post(f"/opinions/{w['submitted'].pk}/act/review/")
        elif action == "sign":
            response = client.post(f"/opinions/{w['reviewed'].pk}/act/sign/")
        else:
            response = client.get(f"/opinions/{w['issued'].pk}/letter/")
        transaction.set_rollback(True)
    return response.status_code


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_roles_by_actions(w: dict[str, Any], role: str, monkeypatch: Any) -> None:
    # Signing issues the letter at once; rendering is tested in test_opinions_pdf.py.
    monkeypatch.setattr("weiyuan.opinions.views.opinion_letter_generate", lambda opinion, actor: opinion)
    got = tuple(request(w, role, action) for action in ACTIONS)
    assert dict(zip(ACTIONS, got, strict=True)) == dict(zip(ACTIONS, EXPECTED[role], strict=True))


def test_applicant_sees_only_issued_letters_and_downloads_are_audited(w: dict[str, Any]) -> None:
    client = Client()
    client.force_login(w["applicant"])
    page = client.get(f"/cases/{w['case'].tracking_number}/").content.decode()
    assert w["issued"].number in page and f"/opinions/{w['issued'].pk}/letter/" in page
    assert f"/opinions/{w['draft'].pk}/" not in page and f"/opinions/{w['reviewed'].pk}/" not in page
    # Before issue the letter does not exist for the applicant; a signed opinion not yet issued neither.
    signed_only = signed(w)
    assert client.get(f"/opinions/{signed_only.pk}/letter/").status_code == 404
    response = client.get(f"/opinions/{w['issued'].pk}/letter/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get(action="opinion.download", actor=w["applicant"])
    assert event.case_id == w["case"].pk and event.after["sha256"] == w["issued"].letter_sha256


def test_expert_access_comes_from_the_task_not_the_case_page(w: dict[str, Any]) -> None:
    """Ending the task ends the expert's access to the opinions, even to the one they wrote."""
    client = Client()
    client.force_login(w["expert"])
    assert client.get(f"/opinions/{w['draft'].pk}/").status_code == 200
    w["case"].assignments.filter(user=w["expert"]).update(ended_at=timezone.now())
    assert client.get(f"/opinions/{w['draft'].pk}/").status_code == 404
    assert client.get(f"/cases/{w['case'].tracking_number}/opinions/").status_code == 404


def test_unscoped_opinion_queries_refuse_to_run() -> None:
    from weiyuan.access.scoping import UnscopedQueryError

    with pytest.raises(UnscopedQueryError):
        list(Opinion.objects.all())


def test_case_opinion_list_query_count_does_not_grow(w: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    client = Client()
    client.force_login(w["handler"])
    url = f"/cases/{w['case'].tracking_number}/opinions/"
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(20):
        new_opinion(w, w["expert2"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("/opinions/") >= 24


def test_case_page_section_query_count_does_not_grow(w: dict[str, Any]) -> None:
    client = Client()
    client.force_login(w["director"])
    url = f"/cases/{w['case'].tracking_number}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(15):
        new_opinion(w, w["handler"])
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert 'id="opinions"' in body
    assert len(many.captured_queries) <= len(few.captured_queries)
