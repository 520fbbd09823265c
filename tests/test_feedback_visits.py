"""Return visits 回访: scheduled by the conclusion with stored due dates (30 and 90 days by default, per service type
as data), the staff queue per centre with its filters and a flat query count, recording a visit (bad input named,
supervisors read-only, other centres 404, once only), the referral cross-check flag, opening a draft case from a new
need, and the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.api_support import post_json
from tests.factories import ApplicantFactory
from tests.feedback_support import client_of, concluded_case
from tests.referrals_support import make_org, partner_of
from weiyuan.audit.models import AuditEvent
from weiyuan.cases import services as case_services
from weiyuan.cases.models import Case, CaseState, ServiceType
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.clocks.calendar import WorkingCalendar
from weiyuan.clocks.rules import CHINA_TZ
from weiyuan.feedback import services
from weiyuan.feedback.models import ReturnVisit, ReturnVisitSchedule, ReturnVisitState
from weiyuan.feedback.services.visits import validate_schedule_days
from weiyuan.referrals import services as referral_services
from weiyuan.referrals.models import OutcomeKind

pytestmark = pytest.mark.django_db
S = ReturnVisitState
REACHED = {
    "reached": True,
    "channel": "phone",
    "dispute_resolved": True,
    "applicant_outcome": "settled",
    "loss_avoided_yuan": "30000",
    "new_needs": "",
}


@pytest.fixture
def w(network: dict[str, Any]) -> dict[str, Any]:
    w = dict(network)
    w["applicant"] = ApplicantFactory()
    w["case"] = concluded_case(network, w["applicant"])
    w["visits"] = list(ReturnVisit.objects.filter(case=w["case"]).order_by("days_after"))
    return w


def record(w: dict[str, Any], visit: ReturnVisit | None = None, actor: str = "sh_handler", **changes: Any) -> Any:
    return services.return_visit_record(visit=visit or w["visits"][0], actor=w[actor], **{**REACHED, **changes})


# --- schedule -----------------------------------------------------------------------------------------------------


def test_conclusion_schedules_visits_at_30_and_90_days_with_stored_working_day_dates(w):
    concluded = w["case"].concluded_at.astimezone(CHINA_TZ).date()
    cal = WorkingCalendar()
    assert [(v.days_after, v.state, v.centre_id) for v in w["visits"]] == [
        (30, S.PENDING, w["shanghai"].pk),
        (90, S.PENDING, w["shanghai"].pk),
    ]
    for v in w["visits"]:
        assert v.due_on == cal.next_working_day(concluded + dt.timedelta(days=v.days_after))
        assert cal.is_working_day(v.due_on)
    assert AuditEvent.objects.filter(action="return_visit.schedule", case_id=w["case"].pk).count() == 2


def test_schedule_days_are_validated():
    assert validate_schedule_days([90, 30]) == [30, 90]
    assert validate_schedule_days([]) == []
    for bad in ([0], [30, 30], "30", [True], [1, 2, 3, 4, 5, 6, 7], [4000]):
        with pytest.raises(ValidationError) as err:
            validate_schedule_days(bad)
        assert "days_after" in err.value.message_dict


def test_service_type_schedule_used_when_concluded(network):
    opinion = ServiceType.objects.get(code="infringement_opinion")
    ReturnVisitSchedule.objects.create(service_type=opinion, days_after=[7, 60, 180])
    case = concluded_case(network)
    assert sorted(ReturnVisit.objects.filter(case=case).values_list("days_after", flat=True)) == [7, 60, 180]


def test_reopen_cancels_pending_visits_and_reconclusion_reschedules_them(w):
    record(w)
    case = case_services.case_reopen(case=w["case"], actor=w["sh_director"], reason="申请人补充了新的证据。")
    states = dict(ReturnVisit.objects.filter(case=case).values_list("days_after", "state"))
    assert states == {30: S.DONE, 90: S.CANCELLED}
    case = case_services.case_assign(case=case, actor=w["sh_director"], handler=w["sh_handler"])
    case = case_services.case_start(case=case, actor=w["sh_handler"])
    case_services.case_conclude(
        case=case, actor=w["sh_handler"], outcome="advice_given", result_letter="再次办结，已提供指导。"
    )
    states = dict(ReturnVisit.objects.filter(case=case).values_list("days_after", "state"))
    assert states == {30: S.DONE, 90: S.PENDING}


# --- recording ----------------------------------------------------------------------------------------------------


def test_record_a_visit(w):
    visit = record(w, new_needs="申请人在海外参展时遇到新的外观设计侵权。", notes="电话回访。")
    assert visit.state == S.DONE and visit.done_by == w["sh_handler"] and visit.done_at is not None
    assert visit.loss_avoided_yuan == Decimal("30000.00") and visit.applicant_outcome == "settled"
    assert not visit.referral_mismatch
    assert AuditEvent.objects.filter(action="return_visit.record", case_id=w["case"].pk).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"loss_avoided_yuan": "-1"}, "loss_avoided_yuan"),
        ({"loss_avoided_yuan": "三万"}, "loss_avoided_yuan"),
        ({"loss_avoided_yuan": "1.234"}, "loss_avoided_yuan"),
        ({"channel": "fax"}, "channel"),
        ({"reached": None}, "reached"),
        ({"applicant_outcome": "happy"}, "applicant_outcome"),
        ({"dispute_resolved": None}, "dispute_resolved"),
    ],
)
def test_bad_input_is_named(w, changes, field):
    with pytest.raises(ValidationError) as err:
        record(w, **changes)
    assert field in err.value.message_dict
    assert ReturnVisit.objects.get(pk=w["visits"][0].pk).state == S.PENDING


def test_not_reached_needs_only_the_channel(w):
    visit = record(w, reached=False, dispute_resolved=None, applicant_outcome="", loss_avoided_yuan="-5")
    assert visit.state == S.DONE and visit.reached is False and visit.loss_avoided_yuan is None


def test_who_may_record(w, network):
    with pytest.raises(TransitionRefused) as err:
        record(w, actor="sh_supervisor")
    assert err.value.status == 403
    with pytest.raises(TransitionRefused) as err:
        record(w, actor="zj_director")
    assert err.value.status == 404
    record(w, actor="sh_intake")
    with pytest.raises(TransitionRefused) as err:  # recorded already
        record(w, actor="sh_director")
    assert err.value.status == 409


def test_web_form_names_a_negative_loss(w):
    url = reverse("feedback:visit", kwargs={"pk": w["visits"][0].pk})
    data = {"reached": "yes", "channel": "phone", "dispute_resolved": "yes", "applicant_outcome": "won"}
    response = client_of(w["sh_handler"]).post(url, {**data, "loss_avoided_yuan": "-100"})
    assert response.status_code == 400 and "不能为负数" in response.content.decode()
    response = client_of(w["sh_handler"]).post(url, {**data, "loss_avoided_yuan": "5000"})
    assert response.status_code == 302
    assert ReturnVisit.objects.get(pk=w["visits"][0].pk).applicant_outcome == "won"


# --- referral cross-check ----------------------------------------------------------------------------------------


def referred_and_concluded(network: dict[str, Any], outcome: str) -> Any:
    """A case referred to a mediation body that reported `outcome`, then concluded by the centre."""
    from tests.referrals_support import referrable_case

    case = referrable_case(network, files=0)
    org = make_org(network["shanghai"], "mediation", name="浦东调解中心")
    partner = partner_of(org)
    (ref,) = referral_services.referral_send(
        case=case, actor=network["sh_handler"], organisations=[org], cover_letter="请依法组织双方当事人进行调解。"
    )
    ref = referral_services.referral_accept(referral=ref, actor=partner)
    referral_services.referral_conclude(referral=ref, actor=partner, outcome_kind=outcome, summary="双方自愿撤回。")
    return case_services.case_conclude(
        case=Case.objects_unscoped.get(pk=case.pk),
        actor=network["sh_handler"],
        outcome="referred",
        result_letter="已移交调解组织，调解结果见时间线。",
    )


def test_applicant_account_contradicting_the_partner_outcome_is_flagged(network):
    case = referred_and_concluded(network, OutcomeKind.WITHDRAWN)
    first, second = ReturnVisit.objects.filter(case=case).order_by("days_after")
    w = dict(network)
    visit = record(w, first, applicant_outcome="won")
    assert visit.referral_mismatch and "浦东调解中心" in visit.referral_mismatch_note
    page = client_of(network["sh_handler"]).get(reverse("feedback:visit", kwargs={"pk": first.pk})).content.decode()
    assert 'id="referral-mismatch"' in page and 'id="referral-checks"' in page
    assert not record(w, second, applicant_outcome="abandoned").referral_mismatch


# --- a new case from a new need ---------------------------------------------------------------------------------


def test_open_a_draft_case_from_the_new_need(w):
    visit = w["visits"][0]
    with pytest.raises(TransitionRefused):  # not recorded yet
        services.return_visit_open_case(visit=visit, actor=w["sh_handler"], service_type_code="consultation")
    record(w, new_needs="申请人计划参加广交会，需要展前商标风险排查。")
    url = reverse("feedback:visit_open_case", kwargs={"pk": visit.pk})
    response = client_of(w["sh_handler"]).post(url, {"service_type": "consultation"})
    assert response.status_code == 302
    visit.refresh_from_db()
    new = visit.new_case
    assert new is not None and new.state == CaseState.DRAFT and new.centre == w["shanghai"]
    assert new.created_by == w["sh_handler"] and new.applicant_user == w["applicant"]
    assert new.applicant_name == w["case"].applicant_name and "广交会" in new.facts
    assert w["case"].tracking_number in new.title
    # The applicant sees the draft; a second case from the same visit is refused.
    assert (
        client_of(w["applicant"])
        .get(reverse("cases:detail", kwargs={"tracking_number": new.tracking_number}))
        .status_code
        == 200
    )
    with pytest.raises(TransitionRefused) as err:
        services.return_visit_open_case(visit=visit, actor=w["sh_handler"], service_type_code="consultation")
    assert err.value.status == 409


# --- the queue ----------------------------------------------------------------------------------------------------


def test_queue_filters_and_scope(w, network):
    zj_case = concluded_case(network, centre="zhejiang")
    today = timezone.localdate()
    overdue, due = w["visits"]
    ReturnVisit.objects.filter(pk=overdue.pk).update(due_on=today - dt.timedelta(days=3))
    ReturnVisit.objects.filter(pk=due.pk).update(due_on=today + dt.timedelta(days=2))
    done = ReturnVisit.objects.get(case=concluded_case(network), days_after=30)
    record(w, done)
    client = client_of(w["sh_handler"])
    url = reverse("feedback:visits")

    def rows(query: str) -> set[int]:
        page = client.get(f"{url}?{query}")
        assert page.status_code == 200
        return {v.pk for v in page.context["page"].object_list}

    assert rows("status=overdue") == {overdue.pk}
    assert rows("status=due") == {due.pk}
    assert rows("status=done") == {done.pk}
    assert not rows("") & set(ReturnVisit.objects.filter(case=zj_case).values_list("pk", flat=True))
    assert rows("status=bogus&centre=sh") >= {overdue.pk, due.pk}
    # Supervisors above see the queue; an applicant is refused.
    national = client_of(network["national_supervisor"]).get(f"{url}?centre=zj")
    assert {v.case_id for v in national.context["page"].object_list} == {zj_case.pk}
    assert client_of(w["applicant"]).get(url).status_code == 403


def test_queue_query_count_does_not_grow(w, network, django_assert_max_num_queries):
    client = client_of(w["sh_director"])
    url = reverse("feedback:visits")
    client.get(url)  # warm the session and caches
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    baseline = len(few.captured_queries)
    for _i in range(6):
        concluded_case(network)
    with django_assert_max_num_queries(baseline):
        page = client.get(url)
        assert len(page.context["page"].object_list) == 14
    api = client_of(w["sh_director"])
    api.get("/api/v1/feedback/return-visits")
    with django_assert_max_num_queries(baseline):
        assert api.get("/api/v1/feedback/return-visits").json()["count"] == 14


# --- the API --------------------------------------------------------------------------------------------------------


def test_api_list_and_record(w):
    api = client_of(w["sh_handler"])
    listed = api.get("/api/v1/feedback/return-visits?status=bogus")
    assert listed.status_code == 422 and listed.json()["detail"][0]["field"] == "status"
    items = api.get("/api/v1/feedback/return-visits").json()["items"]
    assert [i["days_after"] for i in items] == [30, 90]
    url = items[0]["url"]
    bad = post_json(
        api,
        url,
        {
            "reached": True,
            "channel": "phone",
            "dispute_resolved": True,
            "applicant_outcome": "won",
            "loss_avoided_yuan": -1,
        },
    )
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["detail"]} == {"loss_avoided_yuan"}
    ok = post_json(
        api,
        url,
        {
            "reached": True,
            "channel": "visit",
            "dispute_resolved": False,
            "applicant_outcome": "pending",
            "loss_avoided_yuan": "1200.50",
        },
    )
    assert ok.status_code == 200 and ok.json()["state"] == "done" and ok.json()["loss_avoided_yuan"] == "1200.50"
    assert post_json(api, url, {"reached": False, "channel": "phone"}).status_code == 409
    assert (
        post_json(client_of(w["sh_supervisor"]), items[1]["url"], {"reached": False, "channel": "phone"}).status_code
        == 403
    )
    assert (
        post_json(client_of(w["zj_director"]), items[1]["url"], {"reached": False, "channel": "phone"}).status_code
        == 404
    )


def test_the_queue_exports_to_excel_and_csv_as_filtered(w, network):
    import csv
    import io

    from openpyxl import load_workbook

    concluded_case(network, centre="zhejiang")  # another centre's visits stay out
    record(w)
    client = client_of(w["sh_handler"])
    url = reverse("feedback:visits")
    response = client.get(f"{url}?status=done&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("回访日期", "办结后天数", "案件编号")
    assert [(r[1], r[2], r[9]) for r in rows[1:]] == [(30, w["case"].tracking_number, "是")]
    text = b"".join(client.get(f"{url}?format=csv").streaming_content).decode("utf-8-sig")
    pending = list(csv.reader(io.StringIO(text)))[1:]
    assert [(r[1], r[2]) for r in pending] == [("90", w["case"].tracking_number)]
    assert client.get(f"{url}?format=pdf").status_code == 404
    assert client_of(w["applicant"]).get(f"{url}?format=csv").status_code == 403
