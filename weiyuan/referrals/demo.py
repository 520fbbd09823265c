"""Demo referrals for `manage.py seed_demo`: cases of the Shanghai demo centres referred by their handlers to the
demo court's litigation-mediation centre (whose account is partner@weiyuan.demo), the market supervision bureau
and the mediation committee (weiyuan/partners/demo.py), in every state: just sent, overdue and chased,
acknowledged, accepted with a progress report, concluded with a mediation agreement, declined. All through the
services (audit events, timeline steps, notices). Idempotent: nothing is added once a demo referral exists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from weiyuan.core.demo_content import pdf_file
from weiyuan.partners.models import Organisation
from weiyuan.referrals import services
from weiyuan.referrals.models import OutcomeKind, Referral
from weiyuan.referrals.sweep import sweep_referrals

COURT = "上海市浦东新区人民法院诉调对接中心"
BUREAU = "上海市浦东新区市场监督管理局"
MEDIATION = "上海市知识产权纠纷人民调解委员会"
PARTNER_EMAIL = "partner@weiyuan.demo"
CENTRES = ("sh-pudong", "sh-assist", "sh-ipp", "ws-zhangjiang")

LETTER = (
    "贵单位：\n我中心受理的本件知识产权维权援助案件，经初步审查，被请求人涉嫌侵犯申请人的注册商标专用权或专利权，"
    "现依衔接机制移交贵单位依法处理。案情要点和初步证据见随附文件。请在 3 个工作日内签收，并及时反馈办理进展和结果。\n"
    "联系人：承办人（见本平台案件页）"
)


def referrals_demo_seed(*, log: Callable[[str], None] = print) -> str:
    """Add the demo referrals if there are none yet; returns a line for the seed_demo summary."""
    from weiyuan.accounts.models import User
    from weiyuan.cases.models import Case
    from weiyuan.evidence.models import EvidenceFile

    orgs = {o.name: o for o in Organisation.objects.filter(name__in=[COURT, BUREAU, MEDIATION])}
    court = orgs.get(COURT)
    partner = User.objects.filter(email=PARTNER_EMAIL).first()
    if court is None or partner is None:
        log("referrals demo: the demo court or partner@weiyuan.demo is missing (partners demo first); skipped")
        return "Referrals: skipped (no demo organisations)."
    if Referral.objects.filter(organisation__in=orgs.values()).exists():
        return "Referrals: demo referrals already present."
    cases = list(
        Case.objects_unscoped.filter(
            centre__code__in=CENTRES,
            state__in=services.REFERRABLE_CASE_STATES,
            handler__isnull=False,
        )
        .select_related("centre", "handler")
        .order_by("pk")[:6]
    )
    if len(cases) < 6:
        log(f"referrals demo: only {len(cases)} Shanghai cases in handling; fewer demo referrals")
    now = timezone.now()
    made: list[Referral] = []

    def send(case: Case, *names: str, at: dt.datetime | None = None) -> list[Referral]:
        docs = list(EvidenceFile.objects_unscoped.filter(case=case, message__isnull=True).order_by("pk")[:2])
        chosen = [orgs[n] for n in names if n in orgs]
        sent = services.referral_send(
            case=case, actor=case.handler, organisations=chosen, cover_letter=LETTER, documents=docs, now=at
        )
        made.extend(sent)
        return sent

    plans = iter(cases)
    case = next(plans, None)
    if case is not None:  # just sent, waiting for the court to sign for it
        send(case, COURT)
    case = next(plans, None)
    if case is not None:  # sent ten days ago, not acknowledged: the sweep has chased the court
        send(case, COURT, at=now - dt.timedelta(days=10))
        sweep_referrals(now=now)
    case = next(plans, None)
    if case is not None:  # acknowledged
        (r,) = send(case, COURT, at=now - dt.timedelta(days=2))
        services.referral_acknowledge(referral=r, actor=partner)
    case = next(plans, None)
    if case is not None:  # accepted, with a progress report
        (r,) = send(case, COURT, at=now - dt.timedelta(days=6))
        r = services.referral_accept(referral=r, actor=partner, note="已登记为诉前调解案件。")
        services.referral_report(referral=r, actor=partner, text="已联系双方当事人，定于下周组织调解。")
    case = next(plans, None)
    if case is not None:  # concluded by a mediation agreement; also referred to the market supervision bureau
        referrals = send(case, COURT, BUREAU, at=now - dt.timedelta(days=20))
        court_ref = next(r for r in referrals if r.organisation_id == court.pk)
        court_ref = services.referral_accept(referral=court_ref, actor=partner)
        services.referral_conclude(
            referral=court_ref,
            actor=partner,
            outcome_kind=OutcomeKind.MEDIATION_AGREEMENT,
            summary="双方达成调解协议：被请求人停止销售侵权商品、下架相关链接，并赔偿申请人经济损失人民币 3 万元。",
            document=pdf_file("调解协议书.pdf", "Mediation agreement (demo)"),
        )
    case = next(plans, None)
    if case is not None:  # declined by the court; referred to the mediation committee instead
        (r,) = send(case, COURT, at=now - dt.timedelta(days=4))
        services.referral_decline(referral=r, actor=partner, reason="该纠纷不属于本院管辖，建议移交调解组织。")
        send(case, MEDIATION)
    return f"Referrals: {len(made)} demo referrals added."
