"""Writing the answer: a volunteer's draft needs a handler's approval, the handler can edit or return it; every step
of the answer table from every state; bad input gets a message naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.access_rows.consultations import answered, ask, taken_at_shanghai
from tests.factories import ApplicantFactory, UserFactory, staff
from tests.knowledge_support import article, ecommerce_law
from weiyuan.accounts.models import Membership
from weiyuan.cases import services as cases
from weiyuan.cases.models import CaseState
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.consultations import services
from weiyuan.consultations.models import (
    ANSWER_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    Answer,
    AnswerState,
    Consultation,
)
from weiyuan.consultations.transitions import ANSWER_STEPS, NEW
from weiyuan.core.choices import Role
from weiyuan.notifications.models import OutboxMessage

DRAFT = "您可以在收到声明后十五日内向市场监管部门投诉，或者向人民法院起诉，并把投诉或起诉的通知告知平台。"


@pytest.fixture
def setup(network: dict[str, Any]) -> dict[str, Any]:
    applicant = ApplicantFactory()
    consultation = taken_at_shanghai(network, applicant)
    volunteer = UserFactory(display_name="王志愿")
    Membership.objects.create(user=volunteer, centre=None, role=Role.VOLUNTEER, organisation="华东政法大学法律诊所")
    cases.case_task_assign(
        case=consultation.case, actor=network["sh_handler"], user=volunteer, kind="volunteer", task="起草答复初稿"
    )
    return {**network, "applicant": applicant, "consultation": consultation, "volunteer": volunteer}


def fresh(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_related("case").get(pk=consultation.pk)


@pytest.mark.django_db
def test_a_volunteer_draft_goes_out_only_with_the_handlers_approval(setup: dict[str, Any]) -> None:
    consultation, volunteer, handler = setup["consultation"], setup["volunteer"], setup["sh_handler"]
    law = ecommerce_law()

    draft = services.answer_save(
        consultation=consultation,
        actor=volunteer,
        body="初稿：请在十五日内投诉或起诉。",
        article_ids=[article(law, 43).pk],
    )
    assert (draft.state, draft.volunteer) == (AnswerState.DRAFT, volunteer)

    # A volunteer cannot send, whatever the draft says.
    with pytest.raises(TransitionRefused) as refused:
        services.answer_send(consultation=fresh(consultation), actor=volunteer, body=DRAFT)
    assert refused.value.status == 403
    assert "承办人或中心负责人" in refused.value.reason

    submitted = services.answer_submit(consultation=fresh(consultation), actor=volunteer, body=DRAFT)
    assert submitted.state == AnswerState.SUBMITTED
    assert OutboxMessage.objects.filter(recipient=handler, kind="consultation.answer_submitted").exists()
    # While it is with the handler the volunteer cannot change it.
    with pytest.raises(TransitionRefused) as refused:
        services.answer_save(consultation=fresh(consultation), actor=volunteer, body=DRAFT + "补充")
    assert "审核" in refused.value.reason

    # The handler returns it with a reason; the volunteer revises and submits again.
    with pytest.raises(ValidationError) as invalid:
        services.answer_return(consultation=fresh(consultation), actor=handler, reason="  ")
    assert "reason" in invalid.value.message_dict
    returned = services.answer_return(
        consultation=fresh(consultation), actor=handler, reason="请补充可以向哪个部门投诉。"
    )
    assert (returned.state, returned.return_reason) == (AnswerState.RETURNED, "请补充可以向哪个部门投诉。")
    assert OutboxMessage.objects.filter(recipient=volunteer, kind="consultation.answer_returned").exists()
    services.answer_submit(consultation=fresh(consultation), actor=volunteer, body=DRAFT + "可向市场监督管理局投诉。")

    # The handler edits (the draft stays waiting for approval) and then sends it: that is the approval.
    edited = services.answer_save(consultation=fresh(consultation), actor=handler, body=DRAFT + "（承办人修改）")
    assert edited.state == AnswerState.SUBMITTED
    sent = services.answer_send(consultation=fresh(consultation), actor=handler)
    sent.refresh_from_db()
    assert sent.state == AnswerState.SENT
    assert (sent.volunteer, sent.approved_by, sent.sent_by) == (volunteer, handler, handler)
    assert sent.body.endswith("（承办人修改）")
    assert [c.article for c in sent.citations.all()] == [article(law, 43)]
    assert fresh(consultation).case.state == CaseState.CONCLUDED


@pytest.mark.django_db
def test_the_handler_sees_the_volunteer_draft_and_approves_it_on_the_editor_page(setup: dict[str, Any]) -> None:
    consultation, volunteer = setup["consultation"], setup["volunteer"]
    volunteer_client = Client()
    volunteer_client.force_login(volunteer)
    url = reverse("consultations:answer", args=[consultation.case.tracking_number])
    page = volunteer_client.get(url).content.decode()
    assert 'value="submit"' in page and 'value="send"' not in page
    response = volunteer_client.post(url, {"body": DRAFT, "intent": "submit"})
    assert response.status_code == 302
    assert volunteer_client.post(url, {"body": DRAFT, "intent": "send"}).status_code == 403

    handler_client = Client()
    handler_client.force_login(setup["sh_handler"])
    page = handler_client.get(url).content.decode()
    assert "审核通过并发送" in page and "退回志愿者修改" in page and DRAFT in page
    # The applicant never sees a draft.
    applicant_client = Client()
    applicant_client.force_login(setup["applicant"])
    detail = applicant_client.get(reverse("consultations:detail", args=[consultation.case.tracking_number]))
    assert DRAFT not in detail.content.decode()
    assert handler_client.post(url, {"body": DRAFT, "intent": "send"}).status_code == 302
    assert Answer.objects.get().approved_by == setup["sh_handler"]


@pytest.mark.django_db
def test_every_answer_step_from_every_state(setup: dict[str, Any]) -> None:
    """Walk the table: allowed steps work, the rest are refused with the state in the reason."""
    from weiyuan.consultations.services.answering import answer_subject
    from weiyuan.consultations.transitions import ANSWER_STEPS_BY_ACTION, check_step

    consultation, handler, volunteer = setup["consultation"], setup["sh_handler"], setup["volunteer"]
    subject = answer_subject(fresh(consultation))
    for state in (NEW, *AnswerState.values):
        for step in ANSWER_STEPS:
            actor = volunteer if step.action == "submit" else handler
            if state in step.sources:
                check_step(ANSWER_STEPS_BY_ACTION, step.action, state, subject, actor)
            else:
                with pytest.raises(TransitionRefused) as refused:
                    check_step(ANSWER_STEPS_BY_ACTION, step.action, state, subject, actor)
                assert refused.value.status == 409
                assert "当前状态为" in refused.value.reason
    with pytest.raises(TransitionRefused) as refused:
        check_step(ANSWER_STEPS_BY_ACTION, "publish", NEW, subject, handler)
    assert refused.value.status == 400


@pytest.mark.django_db
def test_nothing_is_answered_before_acceptance_and_assignment(network: dict[str, Any]) -> None:
    consultation = ask(network["shanghai"], ApplicantFactory())
    with pytest.raises(TransitionRefused) as refused:
        services.answer_save(consultation=consultation, actor=network["sh_director"], body=DRAFT)
    assert "受理后才能撰写答复" in refused.value.reason
    case = cases.case_accept(case=consultation.case, actor=network["sh_intake"])
    # Accepted but no handler yet: the director may draft, but sending needs a handler (the case spine's rule).
    services.answer_save(consultation=fresh(consultation), actor=network["sh_director"], body=DRAFT)
    with pytest.raises(TransitionRefused) as refused:
        services.answer_send(consultation=fresh(consultation), actor=network["sh_director"])
    assert "分派承办人" in refused.value.reason
    # Another handler of the centre, not assigned, may not write.
    other_handler = staff(network["shanghai"], Role.HANDLER)
    cases.case_assign(case=case, actor=network["sh_director"], handler=network["sh_handler"])
    with pytest.raises(TransitionRefused) as refused:
        services.answer_save(consultation=fresh(consultation), actor=other_handler, body=DRAFT)
    assert refused.value.status == 403


@pytest.mark.django_db
def test_bad_answers_name_the_field(setup: dict[str, Any]) -> None:
    consultation, handler = setup["consultation"], setup["sh_handler"]
    for body, fragment in (
        ("", "至少 10 个字"),
        ("太短了", "至少 10 个字"),
        ("答" * (ANSWER_MAX_LENGTH + 1), "答复过长"),
    ):
        with pytest.raises(ValidationError) as invalid:
            services.answer_send(consultation=fresh(consultation), actor=handler, body=body)
        assert fragment in invalid.value.message_dict["body"][0]
    with pytest.raises(ValidationError) as invalid:
        services.answer_save(consultation=fresh(consultation), actor=handler, body=DRAFT, article_ids=[999999])
    assert "引用的法律条文不存在" in invalid.value.message_dict["citations"][0]
    with pytest.raises(ValidationError) as invalid:
        services.answer_save(consultation=fresh(consultation), actor=handler, body=DRAFT, item_ids=[424242])
    assert "尚未发布" in invalid.value.message_dict["citations"][0]
    # Nothing was sent; the case is still in handling.
    assert fresh(consultation).case.state == CaseState.ASSIGNED
    client = Client()
    client.force_login(handler)
    url = reverse("consultations:answer", args=[consultation.case.tracking_number])
    response = client.post(url, {"body": "短", "intent": "send", "cite_article": ["abc"]})
    assert response.status_code == 200
    assert "引用的编号「abc」无效" in response.content.decode()


@pytest.mark.django_db
def test_bad_questions_name_the_field(network: dict[str, Any]) -> None:
    applicant = ApplicantFactory()
    client = Client()
    client.force_login(applicant)
    base = {"ip_type": "trademark", "topic": "law", "region": "310115", "centre": "sh"}
    empty = client.post(reverse("consultations:ask"), {**base, "question": "   "})
    assert empty.status_code == 200 and "请填写您的问题" in empty.content.decode()
    long = client.post(reverse("consultations:ask"), {**base, "question": "问" * (QUESTION_MAX_LENGTH + 1)})
    assert long.status_code == 200 and "问题过长" in long.content.decode()
    no_topic = client.post(
        reverse("consultations:ask"), {**{**base, "topic": "weather"}, "question": "商标被抢注了怎么办？"}
    )
    assert "请选择列表中的咨询主题" in no_topic.content.decode()
    no_centre = client.post(
        reverse("consultations:ask"), {**{**base, "centre": "nowhere"}, "question": "商标被抢注了怎么办？"}
    )
    assert "找不到该维权援助机构" in no_centre.content.decode()
    assert not Consultation.objects.exists()
    # The service says the same to any caller (the API uses it directly).
    with pytest.raises(ValidationError) as invalid:
        services.consultation_ask(
            actor=applicant,
            data=services.AskInput(centre_code="sh", ip_type="trademark", topic="law", question="短"),
        )
    assert "问题太短" in invalid.value.message_dict["question"][0]


@pytest.mark.django_db
def test_staff_record_a_callers_question_for_their_own_centre(network: dict[str, Any]) -> None:
    data = services.AskInput(
        centre_code="sh",
        ip_type="invention",
        topic="procedure",
        question="来电咨询：发明专利申请被驳回后如何请求复审？",
        applicant_region_code="310115",
        channel="hotline",
        applicant_name="来电人张先生",
        applicant_kind="person",
        applicant_phone="13812345678",
    )
    consultation = services.consultation_ask(actor=network["sh_intake"], data=data)
    assert consultation.case.channel == "hotline"
    assert consultation.case.applicant_user is None
    assert consultation.case.applicant_name == "来电人张先生"
    with pytest.raises(ValidationError) as invalid:
        services.consultation_ask(
            actor=network["sh_intake"], data=services.AskInput(**{**vars(data), "channel": "online"})
        )
    assert "channel" in invalid.value.message_dict
    with pytest.raises(ValidationError) as invalid:
        services.consultation_ask(actor=network["zj_intake"], data=data)
    assert "本中心" in invalid.value.message_dict["centre_code"][0]
    with pytest.raises(TransitionRefused) as refused:
        services.consultation_ask(actor=network["sh_supervisor"], data=data)
    assert refused.value.status == 403


@pytest.mark.django_db
def test_rating_and_follow_up_refusals(network: dict[str, Any]) -> None:
    applicant = ApplicantFactory()
    consultation = taken_at_shanghai(network, applicant)
    # Before the answer: neither a rating nor a follow-up.
    with pytest.raises(TransitionRefused) as refused:
        services.consultation_rate(consultation=fresh(consultation), actor=applicant, score=5)
    assert "收到答复后才能评价" in refused.value.reason
    with pytest.raises(TransitionRefused) as refused:
        services.consultation_follow_up(consultation=fresh(consultation), actor=applicant, question="还有一个问题？")
    assert "收到答复后才能追问" in refused.value.reason
    answered(consultation, handler=network["sh_handler"])
    # Only the applicant rates and follows up.
    with pytest.raises(TransitionRefused) as refused:
        services.consultation_rate(consultation=fresh(consultation), actor=network["sh_handler"], score=5)
    assert refused.value.status == 403
    for score in (0, 6, -1, "五", None, True):
        with pytest.raises(ValidationError) as invalid:
            services.consultation_rate(consultation=fresh(consultation), actor=applicant, score=score)
        assert "score" in invalid.value.message_dict
    with pytest.raises(ValidationError) as invalid:
        services.consultation_rate(consultation=fresh(consultation), actor=applicant, score=4, comment="长" * 1001)
    assert "comment" in invalid.value.message_dict
    client = Client()
    client.force_login(applicant)
    page = client.post(reverse("consultations:rate", args=[consultation.case.tracking_number]), {"score": "7"})
    assert page.status_code == 200 and "评分应为 1 到 5 分" in page.content.decode()
    services.consultation_rate(consultation=fresh(consultation), actor=applicant, score="4")
    assert fresh(consultation).rating == 4
    with pytest.raises(ValidationError) as invalid:
        services.consultation_follow_up(consultation=fresh(consultation), actor=applicant, question="")
    assert "请填写您的问题" in invalid.value.message_dict["question"][0]
    # An archived consultation takes no follow-up.
    cases.case_close(case=fresh(consultation).case, actor=network["sh_director"])
    with pytest.raises(TransitionRefused) as refused:
        services.consultation_follow_up(consultation=fresh(consultation), actor=applicant, question="还有一个问题？")
    assert "不能再追问" in refused.value.reason


@pytest.mark.django_db
def test_a_consultation_recorded_by_the_generic_intake_is_taken_into_the_flow(network: dict[str, Any]) -> None:
    from tests.factories import make_case

    applicant = ApplicantFactory()
    case = make_case(
        network["shanghai"], applicant, service_type_code="consultation", facts="商标续展期限过了还能补救吗？"
    )
    number = case.tracking_number
    intake = Client()
    intake.force_login(network["sh_intake"])
    page = intake.get(reverse("cases:detail", args=[number])).content.decode()
    assert "按咨询办理" in page
    owner = Client()
    owner.force_login(applicant)
    assert "按咨询办理" not in owner.get(reverse("cases:detail", args=[number])).content.decode()
    assert owner.post(reverse("consultations:adopt", args=[number]), {"topic": "law"}).status_code == 403
    assert owner.get(reverse("consultations:detail", args=[number])).status_code == 404  # not a consultation yet

    bad = intake.post(reverse("consultations:adopt", args=[number]), {"topic": "weather"})
    assert bad.status_code == 302 and not Consultation.objects.exists()
    assert intake.post(reverse("consultations:adopt", args=[number]), {"topic": "legal_status"}).status_code == 302
    consultation = Consultation.objects.get(case=case)
    assert consultation.topic == "legal_status"
    assert consultation.questions.get().text == "商标续展期限过了还能补救吗？"
    assert owner.get(reverse("consultations:detail", args=[number])).status_code == 200
    assert intake.post(reverse("consultations:adopt", args=[number]), {"topic": "law"}).status_code == 409
    # Other service types are not consultations.
    opinion = make_case(network["shanghai"], applicant)
    assert (
        intake.post(reverse("consultations:adopt", args=[opinion.tracking_number]), {"topic": "law"}).status_code == 409
    )
