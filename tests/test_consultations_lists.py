"""The lists: the applicant's consultations and the staff / volunteer queues; what each queue holds, who sees which
rows, and query counts that do not grow with the rows. Also the permission table of the access module."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.access_rows.consultations import answered, ask, take
from tests.factories import ApplicantFactory, UserFactory
from weiyuan.access.consultations import CONSULTATION_PERMISSIONS, ConsultationPermission, consultation_decide
from weiyuan.access.policy import Relation
from weiyuan.accounts.models import Membership
from weiyuan.cases import services as cases
from weiyuan.consultations import services
from weiyuan.consultations.models import Consultation
from weiyuan.consultations.selectors import consultation_queue, my_consultations
from weiyuan.core.choices import Role


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def taken(network: dict[str, Any], applicant: Any, **kwargs: Any) -> Consultation:
    return take(
        ask(network["shanghai"], applicant, **kwargs),
        intake=network["sh_intake"],
        director=network["sh_director"],
        handler=network["sh_handler"],
    )


def grow(network: dict[str, Any], applicant: Any, volunteer: Any, n: int) -> None:
    """n more consultations in every stage: open, a volunteer's draft waiting, answered, followed up, nominated."""
    for _ in range(n):
        ask(network["shanghai"], applicant)
        waiting = taken(network, applicant)
        cases.case_task_assign(
            case=waiting.case, actor=network["sh_director"], user=volunteer, kind="volunteer", task="起草"
        )
        services.answer_submit(consultation=waiting, actor=volunteer, body="志愿者初稿：请在十五日内投诉或者起诉。")
        done = taken(network, applicant)
        answered(done, handler=network["sh_handler"])
        services.consultation_follow_up(consultation=done, actor=applicant, question="对方起诉我们怎么办？")
        services.featured_nominate(consultation=done, actor=network["sh_handler"])


@pytest.fixture
def volunteer() -> Any:
    user = UserFactory()
    Membership.objects.create(user=user, centre=None, role=Role.VOLUNTEER, organisation="高校法律诊所")
    return user


@pytest.mark.django_db
def test_queues_hold_what_their_names_say(network: dict[str, Any], volunteer: Any) -> None:
    applicant = ApplicantFactory()
    grow(network, applicant, volunteer, 1)
    handler = network["sh_handler"]
    counts = {
        q: consultation_queue(user=handler, queue=q).count()
        for q in ("open", "to_approve", "follow_ups", "answered", "featured")
    }
    # open: the submitted one, the one with the volunteer's draft, the follow-up waiting for its answer.
    assert counts == {"open": 3, "to_approve": 1, "follow_ups": 1, "answered": 1, "featured": 1}
    assert consultation_queue(user=handler, queue="nonsense").count() == 0
    # A volunteer sees only the consultations of their tasks; another centre sees none of these.
    assert consultation_queue(user=volunteer, queue="open").count() == 1
    assert consultation_queue(user=network["zj_director"], queue="open").count() == 0
    assert my_consultations(user=applicant).count() == 3
    assert my_consultations(user=ApplicantFactory()).count() == 0


@pytest.mark.django_db
def test_list_pages_do_not_grow_in_queries_with_rows(
    network: dict[str, Any], volunteer: Any, django_assert_max_num_queries: Any
) -> None:
    applicant = ApplicantFactory()
    grow(network, applicant, volunteer, 2)
    pages = [
        (applicant, reverse("consultations:mine")),
        (network["sh_handler"], reverse("consultations:queue") + "?queue=open"),
        (network["sh_director"], reverse("consultations:queue") + "?queue=featured"),
        (volunteer, reverse("consultations:queue") + "?queue=to_approve"),
    ]
    clients = [(login(user), url) for user, url in pages]
    measured = []
    for client, url in clients:
        with django_assert_max_num_queries(20) as captured:
            response = client.get(url)
        assert response.status_code == 200
        measured.append(len(captured.captured_queries))
    grow(network, applicant, volunteer, 4)
    for (client, url), before in zip(clients, measured, strict=True):
        with django_assert_max_num_queries(before) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert "WY-" in response.content.decode()


@pytest.mark.django_db
def test_the_mine_page_shows_where_the_answer_stands(network: dict[str, Any]) -> None:
    applicant = ApplicantFactory()
    answered(taken(network, applicant), handler=network["sh_handler"])
    ask(network["shanghai"], applicant)
    page = login(applicant).get(reverse("consultations:mine")).content.decode()
    assert page.count("已答复") == 1 and page.count("尚未答复") == 1
    assert login(network["sh_supervisor"]).get(reverse("consultations:queue")).status_code == 403


def test_the_permission_table_reads_like_the_rules() -> None:
    CP, R = ConsultationPermission, Relation
    table = CONSULTATION_PERMISSIONS
    assert set(table) == set(ConsultationPermission)
    assert table[CP.RATE] == table[CP.FOLLOW_UP] == {R.APPLICANT}
    assert table[CP.ANSWER_APPROVE] == {R.ASSIGNED_HANDLER, R.DIRECTOR}
    assert R.VOLUNTEER in table[CP.ANSWER_WRITE] and R.VOLUNTEER not in table[CP.ANSWER_APPROVE]
    assert table[CP.FEATURE_APPROVE] == {R.DIRECTOR}
    # Drafts and excellent-Q&A work never reach the applicant, experts or supervisors.
    for permission in (CP.ANSWER_VIEW_DRAFT, CP.ANSWER_WRITE, CP.FEATURE_VIEW, CP.FEATURE_REDACT):
        assert not table[permission] & {R.APPLICANT, R.EXPERT, R.SUPERVISOR, R.REFERRER}


@pytest.mark.django_db
def test_decisions_explain_themselves(network: dict[str, Any]) -> None:
    applicant = ApplicantFactory()
    case = ask(network["shanghai"], applicant).case
    assert not consultation_decide(ApplicantFactory(), ConsultationPermission.RATE, case).reason == ""
    assert "申请人" in consultation_decide(network["sh_director"], ConsultationPermission.RATE, case).reason
    assert "负责人" in consultation_decide(network["sh_handler"], ConsultationPermission.FEATURE_APPROVE, case).reason
    assert consultation_decide(applicant, ConsultationPermission.FOLLOW_UP, case)
