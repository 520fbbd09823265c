"""The satisfaction survey: opened by the conclusion (in its transaction), answered once by the applicant on the case
page, through the signed link or the API; scores 1-5 named when wrong; anyone else finds no survey (404); a forged,
altered or expired link is refused and an answered one cannot be reused; one reminder through the outbox."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.api_support import post_json
from tests.factories import ApplicantFactory, make_case
from tests.feedback_support import client_of, concluded_case
from weiyuan.audit.models import AuditEvent
from weiyuan.cases import services as case_services
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.clocks.calendar import WorkingCalendar
from weiyuan.clocks.rules import CHINA_TZ
from weiyuan.feedback import services
from weiyuan.feedback.models import Survey, SurveyChannel
from weiyuan.feedback.sweep import sweep_feedback
from weiyuan.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

GOOD = {"overall": "5", "speed": "4", "professionalism": "5", "usefulness": "4", "comment": "答复及时，很有帮助。"}


@pytest.fixture
def w(network: dict[str, Any]) -> dict[str, Any]:
    w = dict(network)
    w["applicant"] = ApplicantFactory()
    w["case"] = concluded_case(network, w["applicant"])
    w["survey"] = Survey.objects.get(case=w["case"])
    return w


def answer_url(w: dict[str, Any]) -> str:
    return reverse("feedback:survey_answer", kwargs={"tracking_number": w["case"].tracking_number})


def link_url(token: str) -> str:
    return reverse("feedback:survey_link", kwargs={"token": token})


# --- opened by the conclusion -------------------------------------------------------------------------------------


def test_conclusion_opens_the_survey_with_a_reminder_due_date_and_a_signed_link_notice(w):
    survey = w["survey"]
    assert survey.applicant == w["applicant"] and survey.centre == w["shanghai"]
    assert survey.answered_at is None and survey.reminded_at is None
    # Due at the end of the 5th working day after the conclusion (Beijing time), stored on the row.
    concluded = w["case"].concluded_at.astimezone(CHINA_TZ).date()
    expected = WorkingCalendar().add_working_days(concluded, 5)
    assert survey.remind_due_at.astimezone(CHINA_TZ).date() == expected
    notice = OutboxMessage.objects.get(recipient=w["applicant"], kind="feedback.survey", channel="in_app")
    assert notice.url.startswith("/feedback/survey/")
    assert services.survey_from_token(notice.url.split("/")[3]) == survey
    assert AuditEvent.objects.filter(action="survey.create", case_id=w["case"].pk).count() == 1


def test_a_conclusion_that_rolls_back_leaves_no_survey(network):
    case = concluded_case(network)  # a first one, to make sure the hook works at all
    assert Survey.objects.filter(case=case).exists()
    other = make_case(network["shanghai"])
    other = case_services.case_accept(case=other, actor=network["sh_intake"])
    other = case_services.case_assign(case=other, actor=network["sh_director"], handler=network["sh_handler"])
    other = case_services.case_start(case=other, actor=network["sh_handler"])
    with pytest.raises(RuntimeError), transaction.atomic():
        case_services.case_conclude(
            case=other, actor=network["sh_handler"], outcome="advice_given", result_letter="已提供书面指导意见。"
        )
        raise RuntimeError("rolled back")
    assert not Survey.objects.filter(case=other).exists()


def test_a_case_recorded_without_an_applicant_account_gets_no_survey(network):
    case = make_case(network["shanghai"], network["sh_intake"], channel="hotline", submit=True)
    assert case.applicant_user_id is None
    case = case_services.case_accept(case=case, actor=network["sh_intake"])
    case = case_services.case_assign(case=case, actor=network["sh_director"], handler=network["sh_handler"])
    case = case_services.case_start(case=case, actor=network["sh_handler"])
    case_services.case_conclude(
        case=case, actor=network["sh_handler"], outcome="advice_given", result_letter="已提供书面指导意见。"
    )
    assert not Survey.objects.filter(case=case).exists()


# --- on the case page -----------------------------------------------------------------------------------------------


def test_the_applicant_answers_on_the_case_page_once(w):
    client = client_of(w["applicant"])
    page = client.get(reverse("cases:detail", kwargs={"tracking_number": w["case"].tracking_number}))
    assert 'id="survey-form"' in page.content.decode()
    response = client.post(answer_url(w), GOOD)
    assert response.status_code == 302
    survey = Survey.objects.get(pk=w["survey"].pk)
    assert (survey.overall, survey.speed, survey.professionalism, survey.usefulness) == (5, 4, 5, 4)
    assert survey.answered_via == SurveyChannel.CASE_PAGE and survey.answered_at is not None
    assert AuditEvent.objects.filter(action="survey.answer", case_id=w["case"].pk).count() == 1
    page = client.get(reverse("cases:detail", kwargs={"tracking_number": w["case"].tracking_number}))
    assert 'id="survey-answer"' in page.content.decode() and 'id="survey-form"' not in page.content.decode()
    # The second answer is refused with the reason.
    again = client.post(answer_url(w), GOOD)
    assert again.status_code == 409 and "只能评价一次" in again.content.decode()


@pytest.mark.parametrize("score", ["0", "6", "", "3.5"])
def test_a_score_outside_one_to_five_is_named(w, score):
    response = client_of(w["applicant"]).post(answer_url(w), {**GOOD, "speed": score})
    assert response.status_code == 400
    with pytest.raises(ValidationError) as err:
        services.survey_answer(
            survey=w["survey"],
            actor=w["applicant"],
            answer=services.SurveyAnswer(overall=5, speed=score, professionalism=5, usefulness=5),
            via=SurveyChannel.CASE_PAGE,
        )
    assert set(err.value.message_dict) == {"speed"}
    assert Survey.objects.get(pk=w["survey"].pk).answered_at is None


@pytest.mark.parametrize("who", ["sh_handler", "sh_director", "sh_supervisor", "zj_director", "other_applicant"])
def test_anyone_but_the_applicant_finds_no_survey(w, who):
    user = ApplicantFactory() if who == "other_applicant" else w[who]
    assert client_of(user).post(answer_url(w), GOOD).status_code == 404
    with pytest.raises(TransitionRefused) as err:
        services.survey_answer(
            survey=w["survey"], actor=user, answer=services.SurveyAnswer(5, 5, 5, 5), via=SurveyChannel.CASE_PAGE
        )
    assert err.value.status == 404
    assert Survey.objects.get(pk=w["survey"].pk).answered_at is None


def test_staff_see_the_answer_on_the_case_page_not_the_form(w):
    services.survey_answer(
        survey=w["survey"], actor=w["applicant"], answer=services.SurveyAnswer(2, 3, 4, 5, "慢"), via="case_page"
    )
    page = client_of(w["sh_handler"]).get(
        reverse("cases:detail", kwargs={"tracking_number": w["case"].tracking_number})
    )
    html = page.content.decode()
    assert 'id="survey-answer"' in html and 'id="survey-form"' not in html and 'id="case-visits"' in html


def test_a_reopened_case_is_not_rated_until_concluded_again(w):
    case_services.case_reopen(case=w["case"], actor=w["sh_director"], reason="申请人补充了新的侵权证据。")
    with pytest.raises(TransitionRefused) as err:
        services.survey_answer(
            survey=w["survey"], actor=w["applicant"], answer=services.SurveyAnswer(5, 5, 5, 5), via="case_page"
        )
    assert err.value.status == 409


def test_a_reopened_case_keeps_its_reminder_for_the_next_conclusion(w):
    due = w["survey"].remind_due_at
    case_services.case_reopen(case=w["case"], actor=w["sh_director"], reason="申请人补充了新的侵权证据。")
    # The old reminder date passes while the case is handled again: nothing is sent, nothing is spent.
    assert sweep_feedback(now=due + dt.timedelta(days=1))["surveys_reminded"] == 0
    survey = Survey.objects.get(pk=w["survey"].pk)
    assert survey.reminded_at is None and survey.remind_due_at is None
    assert AuditEvent.objects.filter(action="survey.pause").count() == 1


# --- the signed link --------------------------------------------------------------------------------------------------


def test_the_link_answers_without_sign_in_and_cannot_be_reused(w):
    token = services.survey_link_token(w["survey"])
    anonymous = Client()
    assert anonymous.get(link_url(token)).status_code == 200
    response = anonymous.post(link_url(token), GOOD)
    assert response.status_code == 200 and 'id="survey-done"' in response.content.decode()
    survey = Survey.objects.get(pk=w["survey"].pk)
    assert survey.answered_via == SurveyChannel.LINK and survey.overall == 5
    # The audit event names the applicant the token stands for.
    assert AuditEvent.objects.get(action="survey.answer").actor_id == w["applicant"].pk
    reused = anonymous.post(link_url(token), {**GOOD, "overall": "1"})
    assert reused.status_code == 409
    assert Survey.objects.get(pk=w["survey"].pk).overall == 5


def test_a_forged_or_altered_link_is_refused(w):
    token = services.survey_link_token(w["survey"])
    forged = signing.dumps({"s": w["survey"].pk, "a": w["applicant"].pk}, salt="another-salt", compress=True)
    other_key = signing.dumps(
        {"s": w["survey"].pk, "a": w["applicant"].pk}, key="x" * 50, salt=services.surveys.SURVEY_SALT
    )
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, other_key, "not-a-token"):
        response = Client().post(link_url(bad), GOOD)
        assert response.status_code == 400, bad
        assert 'id="survey-link-invalid"' in response.content.decode()
    assert Survey.objects.get(pk=w["survey"].pk).answered_at is None


def test_a_link_for_another_account_is_refused(w):
    # A well-signed token whose account does not match the survey's applicant (e.g. the survey changed hands).
    token = signing.dumps(
        {"s": w["survey"].pk, "a": w["sh_handler"].pk}, salt=services.surveys.SURVEY_SALT, compress=True
    )
    assert Client().get(link_url(token)).status_code == 400


def test_an_expired_link_is_refused(w, monkeypatch, settings):
    settings.FEEDBACK_SURVEY_LINK_MAX_AGE_DAYS = 60
    old = time.time() - 61 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: old)
    token = services.survey_link_token(w["survey"])
    monkeypatch.undo()
    response = Client().post(link_url(token), GOOD)
    assert response.status_code == 400 and "已过期" in response.content.decode()
    with pytest.raises(services.SurveyLinkInvalid) as err:
        services.survey_from_token(token)
    assert err.value.expired


def test_the_link_opened_by_another_signed_in_account_is_not_found(w):
    token = services.survey_link_token(w["survey"])
    assert client_of(w["sh_director"]).post(link_url(token), GOOD).status_code == 404
    assert client_of(w["applicant"]).get(link_url(token)).status_code == 200


# --- the one reminder -----------------------------------------------------------------------------------------------


def test_one_reminder_after_the_working_days_and_none_once_answered(w, network):
    survey = w["survey"]
    assert sweep_feedback(now=survey.remind_due_at - dt.timedelta(minutes=1))["surveys_reminded"] == 0
    later = survey.remind_due_at + dt.timedelta(minutes=1)
    assert sweep_feedback(now=later)["surveys_reminded"] == 1
    assert sweep_feedback(now=later + dt.timedelta(days=30))["surveys_reminded"] == 0  # once only
    survey.refresh_from_db()
    assert survey.reminded_at == later and survey.remind_due_at is None
    reminders = OutboxMessage.objects.filter(
        recipient=w["applicant"], kind="feedback.survey", subject__startswith="提醒"
    )
    assert reminders.filter(channel="in_app").count() == 1
    assert AuditEvent.objects.filter(action="survey.remind").count() == 1
    # An answered survey is never reminded.
    answered = Survey.objects.get(case=concluded_case(network))
    services.survey_answer(
        survey=answered, actor=answered.applicant, answer=services.SurveyAnswer(4, 4, 4, 4), via="case_page"
    )
    assert sweep_feedback(now=answered.remind_due_at + dt.timedelta(days=1))["surveys_reminded"] == 0


def test_the_reminder_is_claimed_once_even_when_two_sweeps_race(w):
    from weiyuan.feedback.sweep import _remind_survey

    now = timezone.now() + dt.timedelta(days=30)
    assert _remind_survey(w["survey"].pk, now) is True
    assert _remind_survey(w["survey"].pk, now) is False


# --- the API ----------------------------------------------------------------------------------------------------------


def api_url(w: dict[str, Any]) -> str:
    return f"/api/v1/feedback/surveys/{w['case'].tracking_number}"


def test_api_answer_bad_scores_other_user_and_second_answer(w):
    applicant = client_of(w["applicant"])
    body = {"overall": 6, "speed": 3, "professionalism": 3, "usefulness": 3}
    bad = post_json(applicant, api_url(w), body)
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["detail"]} == {"overall"}
    assert post_json(client_of(w["sh_handler"]), api_url(w), {**body, "overall": 4}).status_code == 404
    assert post_json(client_of(ApplicantFactory()), api_url(w), {**body, "overall": 4}).status_code == 404
    ok = post_json(applicant, api_url(w), {**body, "overall": 4, "comment": "好"})
    assert ok.status_code == 200 and ok.json()["answered"] and ok.json()["overall"] == 4
    assert Survey.objects.get(pk=w["survey"].pk).answered_via == SurveyChannel.API
    assert post_json(applicant, api_url(w), {**body, "overall": 1}).status_code == 409
    # Staff read the answer; an unrelated applicant does not find it.
    assert client_of(w["sh_handler"]).get(api_url(w)).json()["overall"] == 4
    assert client_of(ApplicantFactory()).get(api_url(w)).status_code == 404
