"""Exhibitions and events (issue #6): the exhibitor import with per-row errors, the complaint with the right's
validity checked and the respondent found among the exhibitors, the respondent's defence clock in hours (rule
`fair_respondent_defence`), the experts' finding, measures and their confirmation, the refusal told to the
organiser, the repeat-respondent flag, and the declared table walked from every state."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.exhibitions_support import CSV, complaint_input, expert_user, fair, fair_world, file_complaint
from tests.factories import pdf_upload, png_upload
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.exhibitions import complaint_services as cs
from weiyuan.exhibitions import services
from weiyuan.exhibitions.flow import TRANSITIONS, check_complaint_transition
from weiyuan.exhibitions.importing import company_key
from weiyuan.exhibitions.models import Complaint, ComplaintState, Exhibitor, Measure, MeasureState
from weiyuan.exhibitions.services import EventInput
from weiyuan.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
S = ComplaintState


@pytest.fixture
def w(network: dict[str, Any]) -> dict[str, Any]:
    return fair_world(network)


# --- events and the exhibitor list ---------------------------------------------------------------------------


def test_an_event_with_its_station_phases_and_defence_hours(network: dict[str, Any]) -> None:
    event, station = fair(network, hours=12)
    assert station.centre == network["shanghai"] and event.defence_hours == 12
    assert event.phases[0]["name"] == "第一期"
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.event_create(
            actor=network["sh_handler"],
            centre=network["shanghai"],
            data=EventInput(
                name="展会",
                venue="场馆",
                starts_on=today,
                ends_on=today,
                organiser="主办方",
                defence_hours=0,
                phases=({"name": "一期", "starts_on": "2000-01-01", "ends_on": "2000-01-02"},),
            ),
        )
    assert "defence_hours" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.event_create(
            actor=network["zj_intake"],
            centre=network["shanghai"],
            data=EventInput("展会", "场馆", today, today, "主办方"),
        )
    assert "centre" in exc.value.message_dict


def test_import_exhibitors_from_csv_and_excel(network: dict[str, Any]) -> None:
    from openpyxl import Workbook

    event, _station = fair(network)
    result = services.exhibitors_import(
        event=event, actor=network["sh_handler"], name="list.csv", data=CSV.encode("gb18030")
    )
    assert (result.created, result.updated) == (3, 0)
    acme = Exhibitor.objects.get(event=event, booth="1A02")  # booth numbers upper-cased
    assert acme.country == "United States" and acme.company_key == company_key("ACME Trading")
    book = Workbook()
    sheet = book.active
    sheet.append(["展位号", "参展企业", "国家或地区"])
    sheet.append(["1A01", "宁波海曙仿制电器有限公司（更名）", "中国"])
    sheet.append(["2B01", "Müller GmbH", "Germany"])
    data = io.BytesIO()
    book.save(data)
    result = services.exhibitors_import(
        event=event, actor=network["sh_handler"], name="list.xlsx", data=data.getvalue()
    )
    assert (result.created, result.updated) == (1, 1)
    assert event.exhibitors.count() == 4


def test_import_with_wrong_columns_or_bad_rows_saves_nothing_unless_valid_only(network: dict[str, Any]) -> None:
    event, _station = fair(network)
    actor = network["sh_handler"]
    with pytest.raises(ValidationError) as exc:
        services.exhibitors_import(event=event, actor=actor, name="x.csv", data="公司,摊位\n甲,1\n".encode())
    errors = [(e.row, e.column) for e in exc.value.row_errors]  # type: ignore[attr-defined]
    assert (1, "header") in errors and (1, "company") in errors and (1, "booth") in errors
    assert "第 1 行「表头」" in " ".join(exc.value.messages)
    bad = "参展企业,展位号\n甲公司,A1\n,A2\n乙公司,a1\n丙公司," + "x" * 41 + "\n丁公司,A5\n"
    with pytest.raises(ValidationError) as exc:
        services.exhibitors_import(event=event, actor=actor, name="x.csv", data=bad.encode())
    errors = [(e.row, e.column) for e in exc.value.row_errors]  # type: ignore[attr-defined]
    assert errors == [(3, "company"), (4, "booth"), (5, "booth")]
    assert event.exhibitors.count() == 0
    result = services.exhibitors_import(event=event, actor=actor, name="x.csv", data=bad.encode(), valid_only=True)
    assert result.created == 2 and len(result.skipped) == 3
    assert sorted(event.exhibitors.values_list("booth", flat=True)) == ["A1", "A5"]
    with pytest.raises(ValidationError):  # header errors are never "valid only"
        services.exhibitors_import(event=event, actor=actor, name="x.csv", data="公司\n甲\n".encode(), valid_only=True)
    with pytest.raises(ValidationError) as exc:
        services.exhibitors_import(event=event, actor=actor, name="x.pdf", data=b"%PDF")
    assert "file" in exc.value.message_dict


def test_only_the_events_centre_manages_it(w: dict[str, Any]) -> None:
    with pytest.raises(TransitionRefused) as exc:
        services.exhibitors_import(event=w["event"], actor=w["zj_intake"], name="x.csv", data=CSV.encode())
    assert exc.value.status == 404
    with pytest.raises(TransitionRefused) as exc:
        services.exhibitors_import(event=w["event"], actor=w["sh_supervisor"], name="x.csv", data=CSV.encode())
    assert exc.value.status == 403
    with pytest.raises(ValidationError) as exc:
        services.duty_set(
            station=w["station"], actor=w["sh_director"], day=timezone.localdate(), user=w["zj_intake"], kind="staff"
        )
    assert "user" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.duty_set(
            station=w["station"], actor=w["sh_director"], day=timezone.localdate(), user=w["sh_intake"], kind="expert"
        )
    assert "user" in exc.value.message_dict


# --- the complaint ----------------------------------------------------------------------------------------------


def test_a_right_not_in_force_is_refused_with_the_reason(w: dict[str, Any]) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        file_complaint(
            w, right_valid_from=today - dt.timedelta(days=4000), right_valid_until=today - dt.timedelta(days=1)
        )
    message = exc.value.message_dict["right_valid_until"][0]
    assert "届满失效" in message and str(today - dt.timedelta(days=1)) in message
    with pytest.raises(ValidationError) as exc:
        file_complaint(w, right_valid_from=today + dt.timedelta(days=3))
    assert "尚未生效" in exc.value.message_dict["right_valid_from"][0]
    with pytest.raises(ValidationError) as exc:
        file_complaint(w, right_owner="别的公司")
    assert "不一致" in exc.value.message_dict["right_owner"][0]
    with pytest.raises(ValidationError) as exc:
        file_complaint(w, right_number="")
    assert "right_number" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        cs.complaint_file(station=w["station"], actor=w["sh_handler"], data=complaint_input(), certificate=None)
    assert "certificate" in exc.value.message_dict
    assert not Complaint.objects.exists()


def test_the_respondent_is_found_by_booth_or_name_and_an_unknown_booth_is_refused(w: dict[str, Any]) -> None:
    assert file_complaint(w, respondent="1a01").respondent.booth == "1A01"
    assert file_complaint(w, respondent="ACME TRADING CO LTD").respondent.booth == "1A02"
    with pytest.raises(ValidationError) as exc:
        file_complaint(w, respondent="9Z99")
    assert "「9Z99」不在本展会的参展商名录中" in exc.value.message_dict["respondent"][0]
    assert Complaint.objects.count() == 2


def test_the_whole_flow_serve_defend_decide_measures_confirmed(w: dict[str, Any]) -> None:
    complaint = file_complaint(w)
    assert complaint.number.startswith("EX-") and complaint.state == S.FILED
    assert complaint.files.count() == 2
    served_at = timezone.now()
    complaint = cs.complaint_serve(complaint=complaint, actor=w["sh_handler"], now=served_at)
    assert complaint.defence_due_at == served_at + dt.timedelta(hours=24)
    assert OutboxMessage.objects.filter(recipient=w["respondent"], kind="exhibitions.served").exists()
    with pytest.raises(TransitionRefused) as exc:  # the hearing waits for the defence or the clock
        cs.complaint_decide(
            complaint=complaint,
            actor=w["expert"],
            outcome="infringing",
            reason="相同",
            measures=[("cover", "电吹风")],
            now=served_at + dt.timedelta(hours=1),
        )
    assert "fair_respondent_defence" in exc.value.reason
    complaint = cs.complaint_defend(
        complaint=complaint,
        actor=w["respondent"],
        text="我方产品外观不同。",
        files=[pdf_upload("对比.pdf")],
        now=served_at + dt.timedelta(hours=2),
    )
    assert complaint.state == S.DEFENDED
    other_expert = expert_user()
    with pytest.raises(TransitionRefused) as exc:
        cs.complaint_decide(
            complaint=complaint,
            actor=other_expert,
            outcome="infringing",
            reason="相同",
            now=served_at + dt.timedelta(hours=3),
        )
    assert exc.value.status == 404
    with pytest.raises(ValidationError) as verr:
        cs.complaint_decide(
            complaint=complaint,
            actor=w["expert"],
            outcome="infringing",
            reason="整体视觉效果无实质性差异。",
            measures=[],
            now=served_at + dt.timedelta(hours=3),
        )
    assert "measures" in verr.value.message_dict
    complaint = cs.complaint_decide(
        complaint=complaint,
        actor=w["expert"],
        outcome="infringing",
        reason="整体视觉效果无实质性差异。",
        measures=[("remove", "F-100 电吹风"), ("withdraw_promotion", "F-100 宣传册")],
        now=served_at + dt.timedelta(hours=3),
    )
    assert complaint.state == S.INFRINGING and complaint.measures.filter(state=MeasureState.DUE).count() == 2
    with pytest.raises(ValidationError) as verr:
        cs.complaint_confirm_measures(complaint=complaint, actor=w["sh_handler"], photo=None, signer="张三")
    assert "photo" in verr.value.message_dict
    complaint = cs.complaint_confirm_measures(
        complaint=complaint, actor=w["sh_handler"], photo=png_upload("撤展后.png"), signer="张三"
    )
    assert complaint.state == S.COMPLIED
    measure = Measure.objects.filter(complaint=complaint).first()
    assert (
        measure is not None
        and measure.state == MeasureState.CONFIRMED
        and measure.signer == "张三"
        and measure.photo_id
    )
    assert list(complaint.steps.values_list("action", flat=True)) == [
        "file",
        "serve",
        "defend",
        "decide_infringing",
        "confirm_measures",
    ]


def test_a_defence_after_the_clock_is_refused_naming_the_rule(w: dict[str, Any]) -> None:
    complaint = file_complaint(w)
    served_at = timezone.now()
    complaint = cs.complaint_serve(complaint=complaint, actor=w["sh_handler"], now=served_at)
    with pytest.raises(TransitionRefused) as exc:
        cs.complaint_defend(
            complaint=complaint,
            actor=w["respondent"],
            text="迟到的答辩。",
            now=served_at + dt.timedelta(hours=24, seconds=1),
        )
    assert exc.value.status == 409 and "fair_respondent_defence" in exc.value.reason and "24" in exc.value.reason
    complaint.refresh_from_db()
    assert complaint.state == S.SERVED and complaint.defence == "" and complaint.defended_at is None
    # Once the clock has run out, the experts decide on what they have.
    complaint = cs.complaint_decide(
        complaint=complaint,
        actor=w["expert"],
        outcome="refer",
        reason="需技术鉴定。",
        now=served_at + dt.timedelta(hours=25),
    )
    assert complaint.state == S.REFERRED and complaint.closed_at is not None


def test_the_defence_hours_are_set_per_event(network: dict[str, Any]) -> None:
    w = fair_world(network, hours=6)
    complaint = file_complaint(w)
    served_at = timezone.now()
    complaint = cs.complaint_serve(complaint=complaint, actor=w["sh_handler"], now=served_at)
    assert complaint.defence_due_at == served_at + dt.timedelta(hours=6)


def test_refusal_to_comply_is_recorded_and_told_to_the_organiser(w: dict[str, Any]) -> None:
    complaint = file_complaint(w)
    served_at = timezone.now()
    complaint = cs.complaint_serve(complaint=complaint, actor=w["sh_handler"], now=served_at)
    complaint = cs.complaint_decide(
        complaint=complaint,
        actor=w["expert"],
        outcome="infringing",
        reason="相同。",
        measures=[("cover", "电吹风")],
        now=served_at + dt.timedelta(hours=25),
    )
    complaint = cs.complaint_record_refusal(complaint=complaint, actor=w["sh_handler"], note="参展商拒绝遮盖展品。")
    assert complaint.state == S.REFUSED and complaint.organiser_told_at is not None
    message = OutboxMessage.objects.filter(recipient=w["organiser"], kind="exhibitions.refused").first()
    assert message is not None
    assert "1A01" in message.body and "拒绝遮盖" in message.body
    assert complaint.measures.get().state == MeasureState.REFUSED


def test_a_respondent_with_complaints_at_earlier_events_is_flagged(network: dict[str, Any]) -> None:
    today = timezone.localdate()
    earlier = fair_world(network, starts_on=today - dt.timedelta(days=200), name="去年的展会")
    # filed at the earlier fair (its own date), then the same company at this year's fair
    past = timezone.now() - dt.timedelta(days=199)
    file_complaint(earlier, now=past, right_valid_from=today - dt.timedelta(days=1000))
    event, station = fair(network, name="今年的展会")
    services.exhibitors_import(
        event=event,
        actor=network["sh_handler"],
        name="x.csv",
        data="参展企业,展位号\n宁波海曙仿制电器公司,5C01\n全新公司,5C02\n".encode(),
    )
    w = {**earlier, "event": event, "station": station}
    flagged = file_complaint(w, respondent="5C01")
    assert flagged.earlier_complaints == 1
    assert file_complaint(w, respondent="5C02").earlier_complaints == 0


def test_online_complaint_by_the_rights_holders_account(w: dict[str, Any]) -> None:
    from tests.factories import ApplicantFactory

    holder = ApplicantFactory()
    complaint = cs.complaint_file(station=w["station"], actor=holder, data=complaint_input(), certificate=pdf_upload())
    assert complaint.complainant_account == holder
    with pytest.raises(TransitionRefused) as exc:
        cs.complaint_file(station=w["station"], actor=w["zj_intake"], data=complaint_input(), certificate=pdf_upload())
    assert exc.value.status == 404


# --- the declared table ---------------------------------------------------------------------------------------


def test_the_table_every_action_from_every_state(w: dict[str, Any]) -> None:
    complaint = file_complaint(w)
    served_at = timezone.now()
    complaint = cs.complaint_serve(complaint=complaint, actor=w["sh_handler"], now=served_at)
    Measure.objects.create(complaint=complaint, kind="cover", exhibit="电吹风")
    actors = {"exhibition_complaint:decide": w["expert"], "exhibition_complaint:defend": w["respondent"]}
    for state in S.values:
        Complaint.objects.filter(pk=complaint.pk).update(state=state)
        for transition in TRANSITIONS:
            fresh = Complaint.objects.select_related("station__event", "respondent").get(pk=complaint.pk)
            actor = actors.get(transition.permission, w["sh_handler"])
            # the defence before the clock ends, the hearing after it
            now = served_at + dt.timedelta(hours=1 if transition.action == "defend" else 25)
            if state in transition.from_states:
                assert check_complaint_transition(fresh, transition.action, actor, now=now) is transition, (
                    state,
                    transition.action,
                )
            else:
                with pytest.raises(TransitionRefused) as exc:
                    check_complaint_transition(fresh, transition.action, actor, now=now)
                assert exc.value.status == 409 and exc.value.reason, (state, transition.action)
    # who may not act: staff may not decide (403), an outsider does not see it (404); an unknown action is 400
    fresh = Complaint.objects.get(pk=complaint.pk)
    Complaint.objects.filter(pk=complaint.pk).update(state=S.SERVED)
    fresh.refresh_from_db()
    with pytest.raises(TransitionRefused) as exc:
        check_complaint_transition(fresh, "decide_infringing", w["sh_handler"], now=served_at + dt.timedelta(hours=25))
    assert exc.value.status == 403
    with pytest.raises(TransitionRefused) as exc:
        check_complaint_transition(fresh, "serve", w["zj_intake"])
    assert exc.value.status == 404
    with pytest.raises(TransitionRefused) as exc:
        check_complaint_transition(fresh, "explode", w["sh_handler"])
    assert exc.value.status == 400
