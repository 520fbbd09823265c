"""Referrals 衔接: sending from a case, the partner's acknowledge / accept / decline / report / outcome, the centre's
withdrawal, the declared table walked state by state, bad input named by field, the case timeline showing the real
outcome, the pages, and webhooks owed in the sender's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import ApplicantFactory, make_case, pdf_upload
from tests.referrals_support import case_files, make_org, partner_of, referrable_case
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.models import CaseEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.notifications.models import OutboxMessage
from weiyuan.partners.models import OrganisationKind
from weiyuan.referrals import services
from weiyuan.referrals.flow import TRANSITIONS, check_referral_transition
from weiyuan.referrals.models import InboundReferral, OutcomeKind, Referral, ReferralDocument, ReferralState
from weiyuan.referrals.selectors import referral_stats

pytestmark = pytest.mark.django_db
S = ReferralState


@pytest.fixture
def world(network: dict[str, Any]) -> dict[str, Any]:
    w = dict(network)
    w["applicant"] = ApplicantFactory()
    w["case"] = referrable_case(network, w["applicant"])
    w["court"] = make_org(network["shanghai"], OrganisationKind.COURT, name="上海知识产权法院")
    w["mediation"] = make_org(network["shanghai"], OrganisationKind.MEDIATION, name="浦东调解中心")
    w["court_partner"] = partner_of(w["court"])
    w["mediation_partner"] = partner_of(w["mediation"])
    return w


def send(w: dict[str, Any], *orgs: str, documents: Any = None) -> list[Referral]:
    return services.referral_send(
        case=w["case"],
        actor=w["sh_handler"],
        organisations=[w[o] for o in (orgs or ("court",))],
        cover_letter="请贵院依法处理本案被请求人的侵权行为，案情和证据见随附文件。",
        documents=case_files(w["case"])[:1] if documents is None else documents,
    )


# --- sending --------------------------------------------------------------------------------------------------


def test_send_to_two_organisations_makes_one_referral_each_with_the_chosen_documents(world):
    referrals = send(world, "court", "mediation")
    assert len(referrals) == 2
    assert {r.organisation for r in referrals} == {world["court"], world["mediation"]}
    first = case_files(world["case"])[0]
    for r in referrals:
        assert r.state == S.SENT
        assert list(ReferralDocument.objects.filter(referral=r).values_list("evidence_id", flat=True)) == [first.pk]
        assert r.ack_due_at > r.sent_at and r.next_chase_at == r.ack_due_at
    # The applicant's public timeline shows each referral; an audit event and a notice to each partner.
    events = CaseEvent.objects.filter(case=world["case"], action="referral_sent", public=True)
    assert {e.note for e in events} == {"移交上海知识产权法院", "移交浦东调解中心"}
    assert AuditEvent.objects.filter(action="referral.send").count() == 2
    assert OutboxMessage.objects.filter(recipient=world["court_partner"], kind="referral.created").exists()
    assert OutboxMessage.objects.filter(recipient=world["mediation_partner"], kind="referral.created").exists()


def test_no_organisation_chosen_is_named(world):
    with pytest.raises(ValidationError) as err:
        services.referral_send(
            case=world["case"], actor=world["sh_handler"], organisations=[], cover_letter="请依法处理本案侵权行为。"
        )
    assert "organisations" in err.value.message_dict
    assert Referral.objects.count() == 0


def test_documents_of_another_case_are_refused(world):
    other = referrable_case(world)
    with pytest.raises(ValidationError) as err:
        send(world, documents=case_files(other)[:1])
    assert "不属于本案" in err.value.message_dict["documents"][0]
    assert Referral.objects.count() == 0


def test_short_cover_letter_and_inactive_organisation_are_named(world):
    world["court"].active = False
    world["court"].save()
    with pytest.raises(ValidationError) as err:
        services.referral_send(
            case=world["case"], actor=world["sh_handler"], organisations=[world["court"]], cover_letter="请处理"
        )
    assert set(err.value.message_dict) == {"organisations", "cover_letter"}


def test_a_second_open_referral_to_the_same_organisation_is_refused(world):
    send(world)
    with pytest.raises(TransitionRefused) as err:
        send(world)
    assert "上海知识产权法院" in err.value.reason and err.value.status == 409


def test_only_an_accepted_open_case_can_be_referred(world):
    submitted = make_case(world["shanghai"], world["applicant"])
    with pytest.raises(TransitionRefused) as err:
        services.referral_send(
            case=submitted,
            actor=world["sh_director"],
            organisations=[world["court"]],
            cover_letter="请依法处理本案被请求人的侵权行为。",
        )
    assert err.value.status == 409 and "已受理" in err.value.reason


def test_only_the_assigned_handler_or_director_sends(world):
    for who in ("sh_intake", "zj_director"):
        with pytest.raises(TransitionRefused) as err:
            services.referral_send(
                case=world["case"],
                actor=world[who],
                organisations=[world["court"]],
                cover_letter="请依法处理本案被请求人的侵权行为。",
            )
        assert err.value.status == 403
    assert send(world)  # sh_handler is the assigned handler


# --- the partner's steps --------------------------------------------------------------------------------------


def test_full_flow_to_a_judgment_shows_on_the_timeline(world):
    (r,) = send(world)
    partner = world["court_partner"]
    r = services.referral_acknowledge(referral=r, actor=partner)
    assert r.state == S.ACKNOWLEDGED and r.progress_due_at is not None
    r = services.referral_accept(referral=r, actor=partner, note="已立案")
    assert r.state == S.ACCEPTED and r.outcome_kind == OutcomeKind.ACCEPTED
    before = r.progress_due_at
    update = services.referral_report(
        referral=r, actor=partner, text="已开庭审理。", document=pdf_upload("庭审笔录.pdf")
    )
    assert update.document is not None and update.document.case_id == world["case"].pk
    r.refresh_from_db()
    assert r.progress_due_at is not None and before is not None
    assert r.progress_due_at >= before
    r = services.referral_conclude(
        referral=r,
        actor=partner,
        outcome_kind=OutcomeKind.JUDGMENT,
        summary="判决被告停止侵权并赔偿经济损失 5 万元。",
        outcome_date=timezone.localdate(),
        document=pdf_upload("判决书.pdf"),
    )
    assert r.state == S.CONCLUDED and r.outcome_document is not None and r.next_chase_at is None
    public = list(CaseEvent.objects.filter(case=world["case"], public=True).values_list("action", "note"))
    actions = [a for a, _ in public]
    assert actions[-4:] == ["referral_sent", "referral_acknowledged", "referral_accepted", "referral_concluded"]
    assert "判决或裁定" in public[-1][1] and "5 万元" in public[-1][1]
    # The progress report is for the centre side only.
    assert CaseEvent.objects.filter(case=world["case"], action="referral_progress", public=False).exists()
    assert OutboxMessage.objects.filter(recipient=world["sh_handler"], kind="referral.concluded").exists()


@pytest.mark.parametrize("kind", [OutcomeKind.MEDIATION_AGREEMENT, OutcomeKind.PENALTY_DECISION, OutcomeKind.JUDGMENT])
def test_outcomes_that_are_documents_require_the_document(world, kind):
    (r,) = send(world)
    r = services.referral_accept(referral=r, actor=world["court_partner"])
    with pytest.raises(ValidationError) as err:
        services.referral_conclude(referral=r, actor=world["court_partner"], outcome_kind=kind, summary="已结案。")
    assert "document" in err.value.message_dict
    r.refresh_from_db()
    assert r.state == S.ACCEPTED


@pytest.mark.parametrize("kind", [OutcomeKind.WITHDRAWN, OutcomeKind.OTHER])
def test_other_outcomes_need_no_document(world, kind):
    (r,) = send(world)
    r = services.referral_accept(referral=r, actor=world["court_partner"])
    r = services.referral_conclude(
        referral=r, actor=world["court_partner"], outcome_kind=kind, summary="权利人撤回起诉。"
    )
    assert r.state == S.CONCLUDED and r.outcome_kind == kind


def test_outcome_bad_input_is_named(world):
    (r,) = send(world)
    r = services.referral_accept(referral=r, actor=world["court_partner"])
    with pytest.raises(ValidationError) as err:
        services.referral_conclude(
            referral=r,
            actor=world["court_partner"],
            outcome_kind="accepted",
            summary="",
            outcome_date=timezone.localdate() + dt.timedelta(days=3),
        )
    assert set(err.value.message_dict) == {"outcome_kind", "summary", "outcome_date"}


def test_decline_needs_a_reason_and_is_final(world):
    (r,) = send(world)
    with pytest.raises(ValidationError) as err:
        services.referral_decline(referral=r, actor=world["court_partner"], reason=" ")
    assert "reason" in err.value.message_dict
    r = services.referral_decline(referral=r, actor=world["court_partner"], reason="不属于本院管辖。")
    assert r.state == S.DECLINED and r.outcome_kind == OutcomeKind.DECLINED and r.next_chase_at is None
    assert CaseEvent.objects.filter(case=world["case"], action="referral_declined", public=True).exists()
    # After a decline the case may be referred to the same organisation again.
    assert send(world)


def test_withdraw_by_the_centre_tells_the_partner(world):
    (r,) = send(world)
    with pytest.raises(TransitionRefused) as err:
        services.referral_withdraw(referral=r, actor=world["court_partner"], reason="误发")
    assert err.value.status == 403
    r = services.referral_withdraw(referral=r, actor=world["sh_director"], reason="申请人已与对方和解。")
    assert r.state == S.WITHDRAWN
    assert OutboxMessage.objects.filter(recipient=world["court_partner"], kind="referral.withdrawn").exists()


def test_another_organisations_partner_cannot_act(world):
    (r,) = send(world)
    with pytest.raises(TransitionRefused) as err:
        services.referral_acknowledge(referral=r, actor=world["mediation_partner"])
    assert err.value.status == 404


def test_the_table_every_action_from_every_state(world):
    """Allowed actions work from their from-states; from any other state they are refused with 409 and a reason."""
    partner, director = world["court_partner"], world["sh_director"]
    for transition in TRANSITIONS:
        for state in S.values:
            r = Referral(
                case=world["case"],
                organisation=world["court"],
                sent_by=director,
                cover_letter="x",
                state=state,
                sent_at=timezone.now(),
                ack_due_at=timezone.now(),
            )
            actor = director if transition.action == "withdraw" else partner
            if state in transition.from_states:
                assert check_referral_transition(r, transition.action, actor) is transition
            else:
                with pytest.raises(TransitionRefused) as err:
                    check_referral_transition(r, transition.action, actor)
                assert err.value.status == 409 and err.value.reason
    with pytest.raises(TransitionRefused) as err:
        check_referral_transition(r, "explode", partner)
    assert err.value.status == 400


# --- inbound ----------------------------------------------------------------------------------------------------


def test_inbound_records_the_organisation_and_needs_one(world):
    from tests.factories import case_input
    from weiyuan.cases.services import case_create
    from weiyuan.core.choices import Channel

    partner = world["court_partner"]
    with transaction.atomic():
        case = case_create(actor=partner, data=case_input(world["shanghai"], channel=Channel.REFERRAL))
        inbound = services.inbound_referral_record(case=case, actor=partner)
    assert inbound.organisation == world["court"] and InboundReferral.objects.get(case=case).referred_by == partner
    with pytest.raises(TransitionRefused):
        services.inbound_referral_record(case=case, actor=world["sh_handler"])
    # The centre's staff see on the case page which organisation referred it in.
    page = login(world["sh_intake"]).get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert 'id="referred-in"' in page and "本案由上海知识产权法院" in page


# --- statistics -------------------------------------------------------------------------------------------------


def test_stats_count_outcomes_by_organisation_kind_in_scope(world):
    court_ref, mediation_ref = send(world, "court", "mediation")
    services.referral_decline(referral=court_ref, actor=world["court_partner"], reason="不属于本院管辖。")
    mediation_ref = services.referral_accept(referral=mediation_ref, actor=world["mediation_partner"])
    services.referral_conclude(
        referral=mediation_ref,
        actor=world["mediation_partner"],
        outcome_kind=OutcomeKind.MEDIATION_AGREEMENT,
        summary="双方达成调解协议。",
        document=pdf_upload("调解协议.pdf"),
    )
    zj_case = referrable_case(world, centre="zhejiang")
    services.referral_send(
        case=zj_case, actor=world["zj_director"], organisations=[world["court"]], cover_letter="请依法处理侵权行为。"
    )
    sh = referral_stats(user=world["sh_handler"])
    assert sh.total == 2
    rows = {r.kind: r.counts for r in sh.rows}
    assert rows["court"]["declined"] == 1 and rows["mediation"]["mediation_agreement"] == 1
    national = referral_stats(user=world["national_supervisor"])
    assert national.total == 3 and national.totals["pending"] == 1
    assert referral_stats(user=world["sh_supervisor"]).total == 2
    assert referral_stats(user=world["court_partner"]).total == 0
    assert referral_stats(user=world["national_supervisor"], centre=world["zhejiang"]).total == 1


# --- pages ------------------------------------------------------------------------------------------------------


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_send_page_refers_and_the_case_page_shows_the_section(world):
    client = login(world["sh_handler"])
    url = reverse("referrals:send", args=[world["case"].tracking_number])
    page = client.get(url)
    assert page.status_code == 200 and "上海知识产权法院" in page.content.decode()
    bad = client.post(url, {"cover_letter": "请依法处理本案被请求人的侵权行为。"})
    assert bad.status_code == 400 and "请至少选择一个合作单位" in bad.content.decode()
    doc = case_files(world["case"])[0]
    done = client.post(
        url,
        {
            "organisations": [world["court"].pk, world["mediation"].pk],
            "cover_letter": "请依法处理本案被请求人的侵权行为。",
            "documents": [doc.pk],
        },
    )
    assert done.status_code == 302
    assert Referral.objects.filter(case=world["case"]).count() == 2
    detail = client.get(reverse("cases:detail", args=[world["case"].tracking_number])).content.decode()
    assert 'id="referrals"' in detail and "浦东调解中心" in detail
    # The applicant sees the referral on the timeline, not the staff section.
    applicant_page = login(world["applicant"]).get(reverse("cases:detail", args=[world["case"].tracking_number]))
    body = applicant_page.content.decode()
    assert 'id="referrals"' not in body and "移交上海知识产权法院" in body


def test_partner_pages_inbox_detail_download_and_actions(world):
    (r,) = send(world)
    mine = login(world["court_partner"])
    inbox = mine.get(reverse("referrals:inbox"))
    assert inbox.status_code == 200 and world["case"].tracking_number in inbox.content.decode()
    other = login(world["mediation_partner"]).get(reverse("referrals:inbox"))
    assert world["case"].tracking_number not in other.content.decode()
    page = mine.get(reverse("referrals:detail", args=[r.pk])).content.decode()
    assert "请贵院依法处理" in page and "证据0.pdf" in page and "证据1.pdf" not in page
    shared, unshared = case_files(world["case"])[:2]
    download = mine.get(reverse("referrals:document", args=[r.pk, shared.pk]))
    assert download.status_code == 200
    assert AuditEvent.objects.filter(action="referral.document_download").count() == 1
    assert mine.get(reverse("referrals:document", args=[r.pk, unshared.pk])).status_code == 404
    assert mine.post(reverse("referrals:act", args=[r.pk, "acknowledge"])).status_code == 302
    bad = mine.post(reverse("referrals:act", args=[r.pk, "decline"]), {"reason": ""})
    assert bad.status_code == 400
    assert mine.post(reverse("referrals:act", args=[r.pk, "accept"]), {"note": ""}).status_code == 302
    no_doc = mine.post(
        reverse("referrals:act", args=[r.pk, "conclude"]), {"outcome_kind": "judgment", "summary": "判决支持。"}
    )
    assert no_doc.status_code == 400 and "须上传结果文书" in no_doc.content.decode()
    ok = mine.post(
        reverse("referrals:act", args=[r.pk, "conclude"]),
        {"outcome_kind": "judgment", "summary": "判决支持。", "document": pdf_upload("判决书.pdf")},
    )
    assert ok.status_code == 302
    r.refresh_from_db()
    assert r.state == S.CONCLUDED
    assert mine.post(reverse("referrals:act", args=[r.pk, "explode"])).status_code == 400


def test_staff_list_puts_overdue_first_and_filters(world):
    late, _fresh = send(world, "court", "mediation")
    Referral.objects.filter(pk=late.pk).update(ack_due_at=timezone.now() - dt.timedelta(days=1))
    client = login(world["sh_director"])
    body = client.get(reverse("referrals:list")).content.decode()
    assert body.index("上海知识产权法院") < body.index("浦东调解中心")
    only_overdue = client.get(reverse("referrals:list"), {"overdue": "1"}).content.decode()
    assert "浦东调解中心" not in only_overdue
    bad = client.get(reverse("referrals:list"), {"state": "nonsense"}).content.decode()
    assert "状态可选" in bad
    stats = client.get(reverse("referrals:stats")).content.decode()
    assert 'id="referral-stats"' in stats


def test_nav_links(world):
    from weiyuan.access.navigation import nav_links

    assert nav_links(world["court_partner"]).referral_inbox and not nav_links(world["court_partner"]).referrals
    assert nav_links(world["sh_handler"]).referrals and not nav_links(world["sh_handler"]).referral_inbox
    assert not nav_links(world["applicant"]).referrals and not nav_links(world["applicant"]).referral_inbox


# --- webhooks ---------------------------------------------------------------------------------------------------


def _endpoint(org: Any) -> Any:
    from weiyuan.webhooks.models import WebhookEndpoint

    return WebhookEndpoint.objects.create(
        organisation=org,
        url="https://partner.example.cn/hook",
        secret="whsec_test",
        events=["referral.created", "referral.withdrawn", "referral.overdue"],
    )


def test_sending_enqueues_a_webhook_and_a_rollback_enqueues_none(world):
    webhooks = pytest.importorskip("weiyuan.webhooks.models")
    _endpoint(world["court"])
    send(world)
    assert webhooks.WebhookDelivery.objects.filter(event="referral.created").count() == 1
    _endpoint(world["mediation"])
    with pytest.raises(RuntimeError), transaction.atomic():
        send(world, "mediation")
        raise RuntimeError("rollback")
    assert webhooks.WebhookDelivery.objects.filter(organisation_id=world["mediation"].pk).count() == 0
    assert not Referral.objects.filter(organisation=world["mediation"]).exists()


# --- demo -------------------------------------------------------------------------------------------------------


def test_demo_referrals_in_every_state_once(network):
    from tests.factories import CentreFactory, staff
    from weiyuan.cases import services as case_services
    from weiyuan.referrals.demo import BUREAU, COURT, MEDIATION, PARTNER_EMAIL, referrals_demo_seed

    centre: Any = CentreFactory(code="sh-pudong", parent=network["shanghai"])
    people = {
        "sh_intake": staff(centre, "intake_officer"),
        "sh_handler": staff(centre, "handler"),
        "sh_director": staff(centre, "director"),
    }
    for _i in range(6):
        applicant: Any = ApplicantFactory()
        case = make_case(centre, applicant, evidence=[pdf_upload()])
        case = case_services.case_accept(case=case, actor=people["sh_intake"])
        case = case_services.case_assign(case=case, actor=people["sh_director"], handler=people["sh_handler"])
        case_services.case_start(case=case, actor=people["sh_handler"])
    court = make_org(network["shanghai"], name=COURT)
    make_org(network["shanghai"], OrganisationKind.ENFORCEMENT, name=BUREAU)
    make_org(network["shanghai"], OrganisationKind.MEDIATION, name=MEDIATION)
    assert referrals_demo_seed(log=lambda line: None) == "Referrals: skipped (no demo organisations)."
    partner_of(court, email=PARTNER_EMAIL)
    assert referrals_demo_seed(log=lambda line: None) == "Referrals: 8 demo referrals added."
    states = sorted(Referral.objects.values_list("state", flat=True))
    assert states == sorted(["sent", "sent", "acknowledged", "accepted", "concluded", "sent", "declined", "sent"])
    assert Referral.objects.filter(escalation_stage=1).count() == 1
    assert Referral.objects.get(state="concluded").outcome_document is not None
    assert referrals_demo_seed(log=lambda line: None) == "Referrals: demo referrals already present."
