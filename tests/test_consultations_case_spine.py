"""A consultation on the case spine: the case's own "conclude" is refused (with the reason shown) until the answer
has been sent, since sending the answer is what concludes a consultation; the general application form sends a
consultation to its own form at /consultations/new/."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client
from django.urls import reverse

from tests.access_rows.consultations import answered, taken_at_shanghai
from tests.api_support import api_client, post_json
from tests.factories import ApplicantFactory, make_case
from weiyuan.cases import services as cases
from weiyuan.cases.models import Case, CaseState, Outcome
from weiyuan.cases.transitions import TransitionRefused, allowed_transitions, check_transition
from weiyuan.consultations import services

pytestmark = pytest.mark.django_db

REASON = "咨询通过发送答复办结"


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def in_handling(network: dict[str, Any]) -> Case:
    consultation = taken_at_shanghai(network, ApplicantFactory())
    return cases.case_start(case=consultation.case, actor=network["sh_handler"])


def test_the_generic_conclude_is_refused_for_a_consultation_with_the_reason(network: dict[str, Any]) -> None:
    case, handler = in_handling(network), network["sh_handler"]
    assert case.state == CaseState.IN_HANDLING
    assert "conclude" not in {t.action for t in allowed_transitions(case, handler)}
    with pytest.raises(TransitionRefused) as refused:
        check_transition(case, "conclude", handler)
    assert refused.value.status == 409 and REASON in refused.value.reason
    with pytest.raises(TransitionRefused):
        cases.case_conclude(case=case, actor=handler, outcome=Outcome.ADVICE_GIVEN, result_letter="办结。")

    me = login(handler)
    page = me.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert 'data-action="conclude"' not in page
    assert 'id="conclude-note"' in page and REASON in page
    assert reverse("consultations:answer", args=[case.tracking_number]) in page
    for method in (me.get, me.post):
        response = method(reverse("cases:action", args=[case.tracking_number, "conclude"]))
        assert response.status_code == 409 and REASON in response.content.decode()
    api = post_json(
        api_client(handler),
        f"/api/v1/cases/{case.tracking_number}/transitions/conclude",
        {"outcome": Outcome.ADVICE_GIVEN, "result_letter": "办结。"},
        **{"Idempotency-Key": "conclude-consultation"},
    )
    assert api.status_code == 409 and REASON in api.json()["detail"]
    case.refresh_from_db()
    assert case.state == CaseState.IN_HANDLING


def test_sending_the_answer_concludes_and_a_reopened_consultation_concludes_as_any_case(
    network: dict[str, Any],
) -> None:
    case, handler = in_handling(network), network["sh_handler"]
    answered(case.consultation, handler=handler)
    case.refresh_from_db()
    assert (case.state, case.outcome) == (CaseState.CONCLUDED, Outcome.ADVICE_GIVEN)
    # The note is only for a consultation still to be answered.
    page = login(handler).get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert 'id="conclude-note"' not in page

    case = cases.case_reopen(case=case, actor=network["sh_director"], reason="申请人补充了新的情况。")
    case = cases.case_assign(case=case, actor=network["sh_director"], handler=handler)
    case = cases.case_start(case=case, actor=handler)
    assert "conclude" in {t.action for t in allowed_transitions(case, handler)}
    letter = "根据申请人补充的情况，补充答复如下：可以向平台提交不侵权声明。"
    case = cases.case_conclude(case=case, actor=handler, outcome=Outcome.ADVICE_GIVEN, result_letter=letter)
    assert case.state == CaseState.CONCLUDED


def test_a_consultation_from_the_generic_form_must_be_taken_over_first(network: dict[str, Any]) -> None:
    case = make_case(network["shanghai"], ApplicantFactory(), service_type_code="consultation")
    case = cases.case_accept(case=case, actor=network["sh_intake"])
    case = cases.case_assign(case=case, actor=network["sh_director"], handler=network["sh_handler"])
    case = cases.case_start(case=case, actor=network["sh_handler"])
    with pytest.raises(TransitionRefused) as refused:
        check_transition(case, "conclude", network["sh_handler"])
    assert "按咨询办理" in refused.value.reason
    page = login(network["sh_handler"]).get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert 'id="conclude-note"' in page and "按咨询办理" in page

    services.consultation_adopt(case=case, actor=network["sh_handler"], topic="law")
    case.refresh_from_db()
    answered(case.consultation, handler=network["sh_handler"])
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED


def test_other_services_conclude_as_before(network: dict[str, Any]) -> None:
    case = make_case(network["shanghai"], ApplicantFactory())
    case = cases.case_accept(case=case, actor=network["sh_intake"])
    case = cases.case_assign(case=case, actor=network["sh_director"], handler=network["sh_handler"])
    case = cases.case_start(case=case, actor=network["sh_handler"])
    assert "conclude" in {t.action for t in allowed_transitions(case, network["sh_handler"])}


def test_the_general_form_sends_a_consultation_to_its_own_form(network: dict[str, Any]) -> None:
    applicant = ApplicantFactory(region_id="310115")
    me = login(applicant)
    route = {"service_type": "consultation", "ip_type": "trademark", "region": "310115"}

    start = me.get(reverse("cases:intake_start")).content.decode()
    assert 'id="consultation-hint"' in start and reverse("consultations:ask") in start

    proposals = me.get(reverse("cases:intake_route"), route).content.decode()
    assert f'action="{reverse("consultations:ask")}"' in proposals
    assert reverse("cases:intake_form") not in proposals
    other = me.get(reverse("cases:intake_route"), {**route, "service_type": "infringement_opinion"}).content.decode()
    assert f'action="{reverse("cases:intake_form")}"' in other

    for method in (me.get, me.post):
        response = method(reverse("cases:intake_form"), {**route, "centre": network["shanghai"].code})
        assert response.status_code == 302
        target = urlparse(response["Location"])
        assert target.path == reverse("consultations:ask")
        assert parse_qs(target.query) == {"region": ["310115"], "ip_type": ["trademark"], "centre": ["sh"]}
    assert not Case.objects_unscoped.filter(applicant_user=applicant).exists()

    ask_page = me.get(response["Location"]).content.decode()
    assert f'<option value="{network["shanghai"].code}" selected>' in ask_page
