"""Consultation 咨询指导, the whole way through the web pages: the applicant asks (similar Q&A suggested while typing),
the handler answers citing an article and a Q&A, the applicant reads the cited article's text, rates, asks the one
follow-up, which is answered on the same clock rule; a second follow-up is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from tests.access_rows.consultations import QUESTION, ask, take
from tests.factories import ApplicantFactory, pdf_upload
from tests.knowledge_support import article, ecommerce_law, published_item
from weiyuan.cases.models import CaseEvent, CaseState, Outcome
from weiyuan.clocks.models import Clock, ClockState
from weiyuan.consultations.models import Answer, AnswerState, Citation, Consultation, Question
from weiyuan.consultations.services.asking import TITLE_LENGTH
from weiyuan.evidence.models import EvidenceFile
from weiyuan.knowledge.models import ItemType
from weiyuan.notifications.models import OutboxMessage


@pytest.fixture
def kb(network: dict[str, Any]) -> dict[str, Any]:
    """The e-commerce law and one published Q&A of the Shanghai centre, both in the search index."""
    law = ecommerce_law()
    qa = published_item(
        network["shanghai"],
        network["sh_handler"],
        network["sh_director"],
        item_type=ItemType.QA,
        title="网店被投诉后提交不侵权声明，权利人怎么办",
        question="网店收到平台转送的侵权投诉后提交了不侵权声明，权利人应当怎么办？",
        answer="权利人应在声明到达后十五日内向有关主管部门投诉或者向人民法院起诉，并将情况告知平台。",
    )
    return {"law": law, "art43": article(law, 43), "qa": qa}


def text(response: Any) -> str:
    """The page as a reader sees it: search highlights (<mark>) and other tags removed."""
    return strip_tags(response.content.decode())


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_full_flow_ask_answer_cite_rate_follow_up(network: dict[str, Any], kb: dict[str, Any]) -> None:
    applicant = ApplicantFactory(region_id="310115")
    me = login(applicant)

    # Asking: while typing, the similar published Q&A is suggested.
    page = me.get(reverse("consultations:ask"))
    assert page.status_code == 200
    assert "上海市知识产权维权援助中心" in page.content.decode()  # proposed for the applicant's region
    similar = me.get(reverse("consultations:ask_suggest"), {"question": "网店提交了不侵权声明，权利人怎么办"})
    assert similar.status_code == 200
    assert "网店被投诉后提交不侵权声明" in text(similar)
    assert f"/kb/items/{kb['qa'].pk}/" in similar.content.decode()

    response = me.post(
        reverse("consultations:ask"),
        {
            "ip_type": "trademark",
            "topic": "dispute",
            "region": "310115",
            "centre": "sh",
            "question": QUESTION,
            "attachments": [pdf_upload("截图.pdf")],
        },
    )
    consultation = Consultation.objects.select_related("case").get()
    case = consultation.case
    assert response.status_code == 302
    assert response["Location"] == reverse("consultations:detail", args=[case.tracking_number])
    assert case.service_type.code == "consultation"
    assert case.state == CaseState.SUBMITTED
    assert case.applicant_user == applicant
    assert case.facts == QUESTION
    assert case.title == QUESTION.strip().splitlines()[0][:TITLE_LENGTH] + "…"  # the question's words, no prefix
    assert consultation.topic == "dispute"
    assert consultation.questions.get().round == 1
    assert EvidenceFile.objects_unscoped.filter(case=case, original_name="截图.pdf").exists()

    # The centre takes it through the case spine; the handler's editor suggests the article and the Q&A.
    take(consultation, intake=network["sh_intake"], director=network["sh_director"], handler=network["sh_handler"])
    handler = login(network["sh_handler"])
    editor = handler.get(reverse("consultations:answer", args=[case.tracking_number]))
    assert editor.status_code == 200
    html = editor.content.decode()
    assert f'name="cite_article" value="{kb["art43"].pk}"' in html
    assert f'name="cite_item" value="{kb["qa"].pk}"' in html

    answer_text = "平台转送您的投诉后，对方提交了不侵权声明。请在声明到达后十五日内向市场监管部门投诉或向法院起诉。"
    sent = handler.post(
        reverse("consultations:answer", args=[case.tracking_number]),
        {"body": answer_text, "cite_article": [kb["art43"].pk], "cite_item": [kb["qa"].pk], "intent": "send"},
    )
    assert sent.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED
    assert case.outcome == Outcome.ADVICE_GIVEN
    assert answer_text in case.result_letter
    assert "电子商务法 第四十三条" in case.result_letter
    answer = Answer.objects.get(question__round=1)
    assert answer.state == AnswerState.SENT
    assert answer.sent_by == network["sh_handler"]
    # The citation pins the article row of the law version cited.
    assert Citation.objects.get(answer=answer, article__isnull=False).article == kb["art43"]
    assert Clock.objects.get(case=case, rule="handling").state == ClockState.MET

    # The applicant sees the answer, the citation and the full text of that version of the article.
    detail = text(me.get(reverse("consultations:detail", args=[case.tracking_number])))
    assert answer_text in detail
    assert "电子商务法 第四十三条" in detail
    assert "电子商务平台经营者在转送声明到达知识产权权利人后十五日内" in detail
    assert "网店被投诉后提交不侵权声明，权利人怎么办" in detail

    # Rating: once.
    assert (
        me.post(
            reverse("consultations:rate", args=[case.tracking_number]), {"score": "5", "comment": "清楚"}
        ).status_code
        == 302
    )
    consultation.refresh_from_db()
    assert (consultation.rating, consultation.rating_comment) == (5, "清楚")
    again = me.post(reverse("consultations:rate", args=[case.tracking_number]), {"score": "1"})
    assert again.status_code == 409
    assert "只能评价一次" in again.content.decode()
    consultation.refresh_from_db()
    assert consultation.rating == 5

    # The one follow-up: a new round on the same clock rule (handling, 5 working days for consultations).
    follow_up_text = "对方起诉我们恶意投诉的话怎么办？"
    assert (
        me.post(
            reverse("consultations:follow_up", args=[case.tracking_number]), {"question": follow_up_text}
        ).status_code
        == 302
    )
    follow_up = Question.objects.get(consultation=consultation, round=2)
    assert follow_up.clock is not None and follow_up.clock.rule == "handling"
    assert follow_up.clock.state == ClockState.RUNNING
    assert CaseEvent.objects.filter(case=case, action="follow_up", public=True).exists()
    assert OutboxMessage.objects.filter(recipient=network["sh_handler"], kind="consultation.follow_up").exists()

    reply = "如对方起诉，您可以提交已取得的购买公证和商标注册证，证明投诉有事实依据。"
    assert (
        handler.post(
            reverse("consultations:answer", args=[case.tracking_number]), {"body": reply, "intent": "send"}
        ).status_code
        == 302
    )
    follow_up.refresh_from_db()
    assert follow_up.answer.state == AnswerState.SENT
    assert follow_up.clock is not None and follow_up.clock.state == ClockState.MET
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED
    detail = text(me.get(reverse("consultations:detail", args=[case.tracking_number])))
    assert reply in detail and follow_up_text in detail
    assert "每次咨询只能追问一次" in detail  # the form is gone; the page says why

    # A second follow-up is refused with a clear message.
    second = me.post(reverse("consultations:follow_up", args=[case.tracking_number]), {"question": "还有一个问题想问"})
    assert second.status_code == 409
    assert "每次咨询只能追问一次" in second.content.decode()
    assert Question.objects.filter(consultation=consultation).count() == 2


@pytest.mark.django_db
def test_the_case_page_links_to_the_consultation(network: dict[str, Any]) -> None:
    applicant = ApplicantFactory()
    consultation = ask(network["shanghai"], applicant)
    page = login(applicant).get(reverse("cases:detail", args=[consultation.case.tracking_number])).content.decode()
    assert reverse("consultations:detail", args=[consultation.case.tracking_number]) in page
    assert "纠纷处理方式" in page


@pytest.mark.django_db
def test_similar_qa_is_empty_for_short_or_empty_or_odd_text(network: dict[str, Any], kb: dict[str, Any]) -> None:
    me = login(ApplicantFactory())
    for typed in ("", "  ", "商标", "？？？？", "\x00\x00\x00\x00", "怎么办呢请问"):
        response = me.get(reverse("consultations:ask_suggest"), {"question": typed})
        assert response.status_code == 200
        assert "可能已经回答了您的问题" not in text(response)
    long_text = "网店提交了不侵权声明，权利人怎么办？" * 300  # far beyond the search's query limit
    response = me.get(reverse("consultations:ask_suggest"), {"question": long_text})
    assert response.status_code == 200
    assert "网店被投诉后提交不侵权声明" in text(response)
