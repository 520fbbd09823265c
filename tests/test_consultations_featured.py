"""Excellent Q&A 优秀问答: nominated by staff, redacted by a person (removals proposed), approved by the centre's
director (not the nominator), published to the knowledge base with credit to the centre — or rejected."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from tests.access_rows.consultations import answered, ask, take
from tests.factories import ApplicantFactory, staff
from tests.knowledge_support import article, ecommerce_law
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.consultations import services
from weiyuan.consultations.models import Consultation, FeaturedQA, FeaturedState
from weiyuan.consultations.suggestions import similar_qa
from weiyuan.consultations.transitions import FEATURED_STEPS, FEATURED_STEPS_BY_ACTION, NEW, Subject, check_step
from weiyuan.core.choices import Role
from weiyuan.knowledge.models import ItemOrigin, ItemStatus, KnowledgeItem

QUESTION = "我是杭州云帆电子商务有限公司的张伟（电话13812345678），网店被投诉侵犯外观设计专利，我们该怎么应对？"
ANSWER = "收到平台转送的通知后，可以依照电子商务法第四十三条提交不存在侵权行为的声明，并附上初步证据。"


@pytest.fixture
def answered_consultation(network: dict[str, Any]) -> Consultation:
    applicant = ApplicantFactory(display_name="张伟", organisation_name="杭州云帆电子商务有限公司")
    consultation = take(
        ask(network["shanghai"], applicant, question=QUESTION, ip_type="design", topic="dispute"),
        intake=network["sh_intake"],
        director=network["sh_director"],
        handler=network["sh_handler"],
    )
    answered(consultation, handler=network["sh_handler"], body=ANSWER, article_ids=(article(ecommerce_law(), 43).pk,))
    return Consultation.objects.select_related("case").get(pk=consultation.pk)


def fresh(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_related("case").get(pk=consultation.pk)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_nominate_redact_approve_publishes_a_qa_credited_to_the_centre(
    network: dict[str, Any], answered_consultation: Consultation
) -> None:
    consultation = answered_consultation
    number = consultation.case.tracking_number
    handler = login(network["sh_handler"])
    assert (
        handler.post(reverse("consultations:nominate", args=[number]), {"reason": "典型的电商维权问题"}).status_code
        == 302
    )
    featured = FeaturedQA.objects.get()
    assert featured.state == FeaturedState.NOMINATED
    assert featured.topic_tags == ["dispute_resolution"]

    # The redaction page marks the name, the firm and the phone number, and proposes the redacted text.
    page = handler.get(reverse("consultations:featured", args=[number])).content.decode()
    assert '<mark class="redact redact-name" title="当事人名称">张伟</mark>' in page
    assert '<mark class="redact redact-phone" title="电话号码">13812345678</mark>' in page
    assert "杭州云帆电子商务有限公司</mark>" in page
    proposal = services.redaction_proposal(consultation)
    assert "13812345678" not in proposal.question_redacted and "张伟" not in proposal.question_redacted

    # A person confirms; a phone number left in is refused until removed (or confirmed as not personal).
    form = {
        "title": "网店被投诉侵犯外观设计专利怎么应对",
        "question": proposal.question_redacted + "可以联系13900001111。",
        "answer": proposal.answer_redacted,
        "topic_tags": ["dispute_resolution", "ecommerce_notice"],
    }
    refused = handler.post(reverse("consultations:redact", args=[number]), form)
    assert refused.status_code == 200
    assert "13900001111（电话号码）" in strip_tags(refused.content.decode())
    form["question"] = proposal.question_redacted
    assert handler.post(reverse("consultations:redact", args=[number]), form).status_code == 302
    featured.refresh_from_db()
    assert featured.state == FeaturedState.REDACTED
    assert featured.redacted_by == network["sh_handler"]
    assert "张伟" not in featured.question

    # The director approves: the knowledge base publishes it, credited to the centre, citing the same article.
    director = login(network["sh_director"])
    assert director.post(reverse("consultations:decide", args=[number]), {"decision": "approve"}).status_code == 302
    featured.refresh_from_db()
    assert featured.state == FeaturedState.PUBLISHED
    item = KnowledgeItem.objects_unscoped.get(pk=featured.knowledge_item_id)
    assert (item.item_type, item.status, item.origin) == ("qa", ItemStatus.PUBLISHED, ItemOrigin.CONSULTATION)
    assert item.centre == network["shanghai"]
    version = item.published_version
    assert version is not None
    assert version.title == "网店被投诉侵犯外观设计专利怎么应对"
    assert "13812345678" not in version.question and "张伟" not in version.question
    assert list(version.cited_articles.all()) == [article(ecommerce_law(), 43)]
    assert sorted(item.tags.values_list("code", flat=True)) == ["design", "dispute_resolution", "ecommerce_notice"]
    # Published Q&A is found by the suggestion box of the next applicant.
    assert any(h.source_id == item.pk for h in similar_qa("网店被投诉侵犯外观设计专利怎么办"))
    actions = set(AuditEvent.objects.filter(case_id=consultation.case_id).values_list("action", flat=True))
    assert {
        "consultation.featured_nominate",
        "consultation.featured_redact",
        "consultation.featured_approve",
    } <= actions


@pytest.mark.django_db
def test_the_nominator_does_not_approve_and_rejection_allows_a_new_nomination(
    network: dict[str, Any], answered_consultation: Consultation
) -> None:
    consultation = answered_consultation
    director = network["sh_director"]
    services.featured_nominate(consultation=consultation, actor=director)
    proposal = services.redaction_proposal(fresh(consultation))
    services.featured_redact(
        consultation=fresh(consultation),
        actor=network["sh_intake"],
        title="外观设计专利投诉应对",
        question=proposal.question_redacted,
        answer=proposal.answer_redacted,
    )
    with pytest.raises(TransitionRefused) as refused:
        services.featured_approve(consultation=fresh(consultation), actor=director)
    assert "四眼原则" in refused.value.reason
    with pytest.raises(TransitionRefused) as refused:
        services.featured_approve(consultation=fresh(consultation), actor=network["sh_handler"])
    assert refused.value.status == 403 and "负责人审批" in refused.value.reason
    with pytest.raises(TransitionRefused):
        services.featured_nominate(consultation=fresh(consultation), actor=network["sh_handler"])  # one at a time

    second_director = staff(network["shanghai"], Role.DIRECTOR)
    with pytest.raises(ValidationError) as invalid:
        services.featured_reject(consultation=fresh(consultation), actor=second_director, reason=" ")
    assert "reason" in invalid.value.message_dict
    rejected = services.featured_reject(consultation=fresh(consultation), actor=second_director, reason="问题不够典型")
    assert rejected.state == FeaturedState.REJECTED
    assert not KnowledgeItem.objects_unscoped.exists()
    again = services.featured_nominate(
        consultation=fresh(consultation), actor=network["sh_handler"], reason="补充后再推荐"
    )
    assert again.state == FeaturedState.NOMINATED
    assert FeaturedQA.objects.count() == 2


@pytest.mark.django_db
def test_only_answered_consultations_are_nominated(network: dict[str, Any]) -> None:
    consultation = ask(network["shanghai"], ApplicantFactory())
    with pytest.raises(TransitionRefused) as refused:
        services.featured_nominate(consultation=consultation, actor=network["sh_handler"])
    assert "答复发送后" in refused.value.reason
    with pytest.raises(TransitionRefused) as refused:
        services.featured_nominate(consultation=consultation, actor=network["zj_director"])
    assert refused.value.status == 403


@pytest.mark.django_db
def test_bad_redactions_name_the_field(network: dict[str, Any], answered_consultation: Consultation) -> None:
    services.featured_nominate(consultation=answered_consultation, actor=network["sh_handler"])
    with pytest.raises(ValidationError) as invalid:
        services.featured_redact(
            consultation=fresh(answered_consultation),
            actor=network["sh_handler"],
            title="",
            question="  ",
            answer="短",
            topic_tags=["weather"],
        )
    assert set(invalid.value.message_dict) == {"title", "question", "answer", "topic_tags"}
    # Confirmed as not personal data: accepted and the confirmation audited.
    featured = services.featured_redact(
        consultation=fresh(answered_consultation),
        actor=network["sh_handler"],
        title="外观设计专利被投诉",
        question="网店被投诉侵犯外观设计专利，拨打 12330 热线或 400-820-1234 可以咨询吗？",
        answer=ANSWER,
        confirm_remaining=True,
    )
    assert featured.state == FeaturedState.REDACTED
    event = AuditEvent.objects.filter(action="consultation.featured_redact").get()
    assert event.after["confirmed_remaining"] == ["400-820-1234"]


@pytest.mark.django_db
def test_every_featured_step_from_every_state(network: dict[str, Any], answered_consultation: Consultation) -> None:
    nominee = services.featured_nominate(consultation=answered_consultation, actor=network["sh_handler"])
    subject = Subject(case=answered_consultation.case, first_answer_sent=True, featured=nominee)
    for state in (NEW, *FeaturedState.values):
        for step in FEATURED_STEPS:
            if state in step.sources:
                check_step(FEATURED_STEPS_BY_ACTION, step.action, state, subject, network["sh_director"])
            else:
                with pytest.raises(TransitionRefused) as refused:
                    check_step(FEATURED_STEPS_BY_ACTION, step.action, state, subject, network["sh_director"])
                assert refused.value.status == 409
