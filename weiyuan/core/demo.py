"""The demo network loaded by `manage.py seed_demo`: centres, accounts for every role and ~200 cases.

Everything is created through the real services (centre_create, filing_transition, case_create and the case
transitions), so the demo data carries the same timeline events, clocks, audit chain and outbox notices as real
use. To spread the history over past months, each step runs under a simulated clock (`django.utils.timezone.now`
returns the step's time) and all steps of all cases run in one global time order, so the audit chains stay
chronological and every clock's due date is computed on the official calendar from the simulated start.

The centres and the case scenarios are data, in `demo_data/centres.json` and `demo_data/scenarios.json`.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from weiyuan.core.choices import ApplicantKind, Channel, IPType, Role
from weiyuan.core.demo_content import (
    AGENT_PRINCIPAL,
    AGENT_PRINCIPAL_REGION,
    APPLICANT_MESSAGES,
    APPLICANT_ONLY,
    CENTRES,
    DEMO_EMAIL_SUFFIX,
    DEMO_MARKER_CENTRE,
    DEMO_PASSWORD,
    EXPERT_TASKS,
    INFO_ANSWERS,
    INFO_REQUESTS,
    INTERNAL_NOTES,
    OUTCOMES,
    README_APPLICANT_STATES,
    REJECTIONS,
    RESULT_LETTERS,
    SCENARIOS,
    SHARE_REASONS,
    STAFF_MESSAGES,
    STAFF_NAMES,
    STATE_PLAN,
    TRANSFER_REASONS,
    VOLUNTEER_TASKS,
    WALK_IN_APPLICANTS,
    Scenario,
    demo_credit_code,
    demo_id_number,
    pdf_file,
    png_file,
    right_number,
)
from weiyuan.core.demo_network import DemoNetworkSeeding, simulated_now

# --- running the plan ----------------------------------------------------------------------------------------


@dataclass
class SeedSummary:
    created: bool
    centres: Counter[str] = field(default_factory=Counter)
    accounts: int = 0
    cases: Counter[str] = field(default_factory=Counter)
    overdue_clocks: int = 0
    due_soon_clocks: int = 0
    evidence_files: int = 0
    messages: int = 0
    shares: int = 0
    outbox: int = 0
    totp_devices: int = 0
    seconds: float = 0.0


@dataclass
class CasePlan:
    index: int
    state: str
    scenario: Scenario
    centre_code: str
    channel: str
    applicant: Any  # the applicant account, or None when staff or a partner record the application
    actor: Any  # who records it
    applicant_name: str
    applicant_kind: str
    applicant_region: str
    respondent: tuple[str, str, str] | None
    steps: list[tuple[dt.datetime, str, dict[str, Any]]] = field(default_factory=list)
    case: Any = None


# Industries of the demo applicants (GB/T 4754 sections), weighted towards the usual askers: manufacturing, trade,
# software, research, culture; "" leaves some cases without one, as staff often do.
DEMO_INDUSTRIES = ("C", "F", "C", "I", "", "M", "C", "F", "R", "I", "A", "H")

PLAN_SEED = 20260101


class DemoSeeder(DemoNetworkSeeding):
    """Builds the demo network. One instance per run; `run()` is wrapped in one transaction by the caller."""

    def __init__(self, *, log: Callable[[str], None] = print) -> None:
        from weiyuan.clocks.calendar import WorkingCalendar

        self.log = log
        self.rng = random.Random(PLAN_SEED)
        self.calendar = WorkingCalendar()
        self.real_now = timezone.now()
        self.setup_at = self._office_time(self.real_now - dt.timedelta(days=300))
        self.password_hash = make_password(DEMO_PASSWORD)
        self.centres: dict[str, Any] = {}
        self.staff: dict[str, dict[str, list[Any]]] = {}
        self.users: dict[str, Any] = {}
        self.name_pool = iter(STAFF_NAMES * 3)

    # -- the cases ---------------------------------------------------------------------------------------------

    def _staff_of(self, centre_id: int, role: str) -> list[Any]:
        code = next(code for code, c in self.centres.items() if c.pk == centre_id)
        people = self.staff[code].get(role) or []
        return people or self.staff[code][Role.DIRECTOR]

    def plan_cases(self) -> list[CasePlan]:
        states = [state for state, count in STATE_PLAN for _ in range(count)]
        # A generator of its own: the shared one has been drawn from a number of times that depends on today's
        # date (office hours, holidays), and the mix of states, scenarios and channels must not.
        plan_rng = random.Random(PLAN_SEED)
        plan_rng.shuffle(states)
        takes_cases = {s.code for s in CENTRES if s.filing == "approved"}
        # The three applicants named in the README get cases in these states (so their pages show each step).
        wanted = {key: list(states_) for key, states_ in README_APPLICANT_STATES.items()}
        plans: list[CasePlan] = []
        channel_turns: dict[int, int] = {}  # per scenario, so each of its channels appears
        for i, state in enumerate(states):
            scenario = SCENARIOS[i % len(SCENARIOS)]
            centre_code = plan_rng.choice([c for c in scenario.centres if c in takes_cases])
            readme_key = next((k for k, left in wanted.items() if state in left), None)
            if readme_key is not None and Channel.ONLINE in scenario.channels:
                wanted[readme_key].remove(state)
            else:
                readme_key = None
            needs_account = state in APPLICANT_ONLY or readme_key is not None
            channels: list[str] = list(scenario.channels)
            channel: str
            if needs_account:
                channel = Channel.ONLINE
            elif len(channels) > 1:
                # Each scenario walks its own channels in turn so every one appears; online stays the most common.
                turn = channel_turns.get(i % len(SCENARIOS), 0)
                channel_turns[i % len(SCENARIOS)] = turn + 1
                others = [c for c in channels if c != Channel.ONLINE]
                if Channel.ONLINE in channels and turn % 2:
                    channel = Channel.ONLINE
                else:
                    channel = others[(turn // 2 if Channel.ONLINE in channels else turn) % len(others)]
            else:
                channel = channels[0]
            applicant = None
            actor: Any
            name: str
            kind: str
            region: str
            if channel == Channel.ONLINE:
                if readme_key is not None:
                    applicant = self.users[f"{readme_key}@weiyuan.demo"]
                else:
                    applicant = self.rng.choice(self.applicants[3:])
                actor = applicant
                if applicant.applicant_kind == ApplicantKind.AGENT:
                    name, kind, region = AGENT_PRINCIPAL, ApplicantKind.ORGANISATION, AGENT_PRINCIPAL_REGION
                else:
                    name, kind, region = applicant.display_name, applicant.applicant_kind, applicant.region_id
            else:
                name, kind, region = WALK_IN_APPLICANTS[i % len(WALK_IN_APPLICANTS)]
                actor = None  # resolved when the step runs: the centre's intake officer, or the partner
            respondent = self.rng.choice(scenario.respondents) if scenario.respondents else None
            plan = CasePlan(
                index=i,
                state=state,
                scenario=scenario,
                centre_code=centre_code,
                channel=channel,
                applicant=applicant,
                actor=actor,
                applicant_name=name,
                applicant_kind=kind,
                applicant_region=region,
                respondent=respondent,
            )
            self._schedule(plan)
            plans.append(plan)
        return plans

    def _path(self, plan: CasePlan) -> list[tuple[str, float, dict[str, Any]]]:
        """The steps to reach the plan's state, with the delay (days) before each."""
        r = self.rng
        state = plan.state
        has_account = plan.applicant is not None
        steps: list[tuple[str, float, dict[str, Any]]] = [("create", 0, {"submit": state != "draft"})]
        if state == "draft":
            return steps
        if state == "submitted":
            if has_account and r.random() < 0.3:
                steps += [("request_info", r.uniform(0.5, 2), {}), ("answer_info", r.uniform(1, 6), {})]
            return steps
        if state == "info_requested":
            return [*steps, ("request_info", r.uniform(0.5, 3), {})]
        if state == "rejected":
            if r.random() < 0.3:
                steps.append(("request_info", r.uniform(0.5, 2), {}))
                return [*steps, ("reject", r.uniform(16, 20), {"reason": "info_not_supplied"})]
            return [*steps, ("reject", r.uniform(0.5, 4), {})]
        if state == "withdrawn":
            stop = r.choice(["submitted", "accepted", "in_handling"])
            if stop != "submitted":
                steps.append(("accept", r.uniform(1, 4), {}))
            if stop == "in_handling":
                steps += [("assign", r.uniform(0, 1), {}), ("start", r.uniform(0.5, 2), {})]
            return [*steps, ("withdraw", r.uniform(1, 10), {})]
        if state == "transferred":
            if r.random() < 0.5:
                steps.append(("accept", r.uniform(1, 3), {}))
            return [*steps, ("transfer", r.uniform(0.5, 3), {})]
        # Everything else goes through acceptance; some after an information request or a transfer.
        if has_account and r.random() < 0.2:
            steps += [("request_info", r.uniform(0.5, 2), {}), ("answer_info", r.uniform(1, 6), {})]
        if r.random() < 0.08:
            steps += [("transfer", r.uniform(0.5, 2), {}), ("receive_transfer", r.uniform(0.5, 2), {})]
        steps.append(("accept", r.uniform(0.5, 4), {}))
        if state == "accepted":
            return steps
        steps.append(("assign", r.uniform(0, 1.5), {}))
        if state == "assigned":
            return steps
        steps.append(("start", r.uniform(0.5, 2), {}))
        if r.random() < 0.35 or plan.applicant in self.applicants[:3]:
            steps.append(("message", r.uniform(1, 6), {"who": "applicant" if has_account else "staff"}))
            steps.append(("message", r.uniform(0.5, 3), {"who": "staff"}))
        if r.random() < 0.15:
            steps.append(("note", r.uniform(0.5, 3), {}))
        if plan.scenario.service in ("infringement_opinion", "major_dispute_solution") and r.random() < 0.3:
            steps.append(("expert_task", r.uniform(0.5, 3), {}))
        if plan.scenario.service == "consultation" and r.random() < 0.3:
            steps.append(("volunteer_task", r.uniform(0.5, 2), {}))
        if r.random() < 0.1:
            steps.append(("share", r.uniform(0.5, 3), {}))
        if state == "in_handling":
            return steps
        handling = {"exhibition_complaint": (0.5, 2.5)}.get(plan.scenario.service, (4, 30))
        steps.append(("conclude", r.uniform(*handling), {}))
        if state == "concluded":
            return steps
        if state == "closed":
            return [*steps, ("close", r.uniform(2, 10), {})]
        # reopened
        if r.random() < 0.5:
            steps.append(("close", r.uniform(2, 6), {}))
        return [*steps, ("reopen", r.uniform(3, 15), {})]

    def _schedule(self, plan: CasePlan) -> None:
        """Place the steps in time: the last one some days before now (a mix of fresh, due-soon and overdue)."""
        path = self._path(plan)
        r = self.rng
        terminal = plan.state in ("closed", "rejected", "withdrawn", "concluded")
        # Days since the last step: open cases are a mix of fresh (due later), due soon, and overdue ones.
        bucket = plan.index % 5
        if terminal:
            idle = r.uniform(1, 120)
        elif plan.state == "draft":
            idle = r.uniform(0, 20)
        elif plan.state in ("in_handling", "assigned", "reopened"):
            idle = (r.uniform(0, 8), r.uniform(6, 16), r.uniform(40, 60), r.uniform(2, 10), r.uniform(18, 28))[bucket]
        else:
            idle = (r.uniform(0.05, 1.5), r.uniform(4, 7), r.uniform(9, 30), r.uniform(1, 3), r.uniform(2, 4))[bucket]
        latest = self.real_now - dt.timedelta(days=idle)
        start = latest - dt.timedelta(days=sum(d for _, d, _ in path) + 2)
        for _attempt in range(12):
            start = max(start, self.setup_at + dt.timedelta(days=10))
            moment = self._office_time(start) if plan.applicant is None else start
            times = []
            for k, (_action, delay, _kw) in enumerate(path):
                if k:
                    by_applicant = _action in ("answer_info", "withdraw") or (
                        _action == "message" and _kw.get("who") == "applicant"
                    )
                    moment = self._later(moment, delay, office=not by_applicant)
                times.append(moment)
            excess = times[-1] - min(latest, self.real_now - dt.timedelta(minutes=30))
            if excess <= dt.timedelta(0) or start <= self.setup_at + dt.timedelta(days=10):
                break
            start -= excess + dt.timedelta(hours=r.randint(1, 30))
        plan.steps = [(t, action, kw) for t, (action, _d, kw) in zip(times, path, strict=True)]

    def run_plans(self, plans: list[CasePlan]) -> None:
        queue: list[tuple[dt.datetime, int, int]] = []
        for plan in plans:
            for k, (moment, _action, _kw) in enumerate(plan.steps):
                queue.append((min(moment, self.real_now - dt.timedelta(minutes=1)), plan.index, k))
        heapq.heapify(queue)
        by_index = {p.index: p for p in plans}
        while queue:
            moment, index, k = heapq.heappop(queue)
            plan = by_index[index]
            _t, action, kw = plan.steps[k]
            with simulated_now(moment):
                self._step(plan, action, kw, moment)

    def _case_input(self, plan: CasePlan) -> Any:
        from weiyuan.cases.services import CaseInput, RightInput

        s = plan.scenario
        r = self.rng
        respondent_name, respondent_short, respondent_address = plan.respondent or ("", "", "")
        rights = []
        if s.right_title or s.service in ("infringement_opinion", "exhibition_complaint", "ecommerce_complaint"):
            owner = plan.applicant_name
            number = right_number(s.ip_type, f"{s.title}:{owner}")
            certificate = None
            if plan.index % 11 == 3:
                certificate = pdf_file("certificate.pdf", f"Certificate {number}")
            rights.append(
                RightInput(
                    ip_type=s.ip_type if s.ip_type != IPType.TRADE_SECRET else IPType.OTHER,
                    number=number,
                    title=s.right_title,
                    owner=owner,
                    legal_status="有效",
                    certificate=certificate,
                )
            )
        evidence: list[UploadedFile] = []
        if plan.index % 9 == 2:
            evidence = [
                pdf_file("公证书.pdf", f"Notarial certificate of purchase, case {plan.index}"),
                png_file("侵权商品照片.png", (40 + plan.index % 180, 90, 160)),
            ]
        credit_code = ""
        id_number = ""
        if plan.applicant is not None:
            credit_code = plan.applicant.credit_code
            if plan.applicant.applicant_kind == ApplicantKind.AGENT:
                credit_code = demo_credit_code("minghui", AGENT_PRINCIPAL_REGION)
            id_number = plan.applicant.id_number or ""
            phone = plan.applicant.phone or ""
            email = plan.applicant.email
        else:
            if plan.applicant_kind == ApplicantKind.ORGANISATION:
                credit_code = demo_credit_code(plan.applicant_name, plan.applicant_region)
            else:
                id_number = demo_id_number(
                    plan.applicant_region, f"19{70 + plan.index % 25}0615", f"{plan.index % 900 + 100}"
                )
            phone = f"13{r.randint(5, 9)}{r.randint(10_000_000, 99_999_999)}"
            email = ""
        return CaseInput(
            centre_code=plan.centre_code,
            service_type_code=s.service,
            ip_type=s.ip_type,
            title=s.title.format(r=respondent_short or "对方"),
            facts=s.facts,
            request=s.request,
            applicant_name=plan.applicant_name,
            applicant_kind=plan.applicant_kind,
            applicant_region_code=plan.applicant_region,
            channel=plan.channel,
            applicant_credit_code=credit_code,
            applicant_id_number=id_number,
            applicant_phone=phone,
            applicant_email=email,
            priority_group=plan.applicant.priority_group if plan.applicant is not None else "",
            # Drawn from the index, not the shared generator, so the rest of the plan stays as it was.
            industry=DEMO_INDUSTRIES[plan.index % len(DEMO_INDUSTRIES)],
            respondent_name=respondent_name,
            respondent_address=respondent_address,
            # Only centre staff mark a case as major (an online applicant cannot).
            is_major=s.major and plan.applicant is None,
            rights=rights,
            evidence=evidence,
        )

    def _step(self, plan: CasePlan, action: str, kw: dict[str, Any], moment: dt.datetime) -> None:
        from weiyuan.cases import services as cs
        from weiyuan.cases.models import Case, RejectReason

        r = self.rng
        if action == "create":
            intake = self._staff_of(self.centres[plan.centre_code].pk, Role.INTAKE_OFFICER)[0]
            if plan.actor is None:
                plan.actor = self.partner if plan.channel == Channel.REFERRAL else intake
            plan.case = cs.case_create(actor=plan.actor, data=self._case_input(plan), submit=kw["submit"])
            return
        case = Case.objects_unscoped.select_related("centre").get(pk=plan.case.pk)
        intake = self._staff_of(case.centre_id, Role.INTAKE_OFFICER)[0]
        director = self._staff_of(case.centre_id, Role.DIRECTOR)[0]
        if action == "request_info":
            case = cs.case_request_info(case=case, actor=intake, request_text=r.choice(INFO_REQUESTS))
        elif action == "answer_info":
            files: list[UploadedFile] = (
                [pdf_file("补正材料.pdf", f"Supplementary documents {case.tracking_number}")]
                if r.random() < 0.5
                else []
            )
            case = cs.case_answer_info(case=case, actor=plan.applicant, answer_text=r.choice(INFO_ANSWERS), files=files)
        elif action == "accept":
            case = cs.case_accept(case=case, actor=director if case.is_major else intake)
        elif action == "reject":
            reason, text, fix = next((x for x in REJECTIONS if x[0] == kw.get("reason")), REJECTIONS[plan.index % 6])
            suggested = None
            if reason == RejectReason.OUT_OF_AREA:
                suggested = next(c for code, c in self.centres.items() if code != plan.centre_code and c.takes_cases)
            cs.case_reject(
                case=case,
                actor=intake,
                reason=reason,
                text=text,
                fix=fix,
                suggested_centre=suggested,
                suggested_channel="12315" if reason == RejectReason.OUT_OF_REMIT else "",
            )
        elif action == "assign":
            handler = r.choice(self._staff_of(case.centre_id, Role.HANDLER))
            cs.case_assign(case=case, actor=intake if r.random() < 0.6 else director, handler=handler)
        elif action == "start":
            cs.case_start(case=case, actor=case.handler)
        elif action == "message":
            who = plan.applicant if kw["who"] == "applicant" else (case.handler or intake)
            texts = APPLICANT_MESSAGES if kw["who"] == "applicant" else STAFF_MESSAGES
            attachments: list[UploadedFile] = [png_file("现场照片.png", (20, 140, 90))] if r.random() < 0.25 else []
            cs.case_message_post(case=case, actor=who, body=r.choice(texts), files=attachments)
        elif action == "note":
            cs.case_message_post(case=case, actor=case.handler or intake, body=r.choice(INTERNAL_NOTES), internal=True)
        elif action == "expert_task":
            cs.case_task_assign(
                case=case, actor=case.handler or director, user=self.expert, kind="expert", task=r.choice(EXPERT_TASKS)
            )
        elif action == "volunteer_task":
            cs.case_task_assign(
                case=case,
                actor=case.handler or director,
                user=self.volunteer,
                kind="volunteer",
                task=VOLUNTEER_TASKS[0],
            )
        elif action == "share":
            other = self._other_centre(case.centre_id)
            share = cs.case_share_grant(case=case, actor=director, centre=other, reason=r.choice(SHARE_REASONS))
            if plan.index % 3 == 0:
                with simulated_now(moment + dt.timedelta(hours=2)):
                    cs.case_share_revoke(case=case, actor=director, share=share)
        elif action == "conclude":
            outcome = r.choice(OUTCOMES[plan.scenario.service])
            if not self._answer_consultation(case, plan.scenario, RESULT_LETTERS[outcome]):
                cs.case_conclude(case=case, actor=case.handler, outcome=outcome, result_letter=RESULT_LETTERS[outcome])
        elif action == "close":
            cs.case_close(case=case, actor=case.handler or director)
        elif action == "reopen":
            cs.case_reopen(
                case=case, actor=director, reason="申请人反映被请求人在办结后仍继续销售侵权商品，需要继续跟进。"
            )
        elif action == "withdraw":
            cs.case_withdraw(case=case, actor=plan.applicant, reason="双方已自行和解，申请撤回。")
        elif action == "transfer":
            cs.case_transfer(
                case=case, actor=intake, target=self._other_centre(case.centre_id), reason=r.choice(TRANSFER_REASONS)
            )
        elif action == "receive_transfer":
            cs.case_receive_transfer(case=case, actor=intake)
        else:  # pragma: no cover - the plan only uses the actions above
            raise ValueError(action)

    def _answer_consultation(self, case: Any, scenario: Scenario, answer: str) -> bool:
        """A consultation is concluded by sending its answer (the case's own "conclude" refuses it until then): the
        handler takes the case into the consultation flow and sends the answer. False for any other case, and for a
        reopened consultation whose answer was sent before (it concludes as any case)."""
        from weiyuan.cases.models import CONSULTATION_SERVICE
        from weiyuan.consultations import services as consultations
        from weiyuan.consultations.models import Consultation
        from weiyuan.consultations.services.answering import first_answer_sent

        if case.service_type.code != CONSULTATION_SERVICE:
            return False
        consultation = Consultation.objects.filter(case=case).first()
        if consultation is None:
            consultation = consultations.consultation_adopt(case=case, actor=case.handler, topic=scenario.topic)
        if first_answer_sent(consultation):
            return False
        consultations.answer_send(consultation=consultation, actor=case.handler, body=answer)
        return True

    def _other_centre(self, centre_id: int) -> Any:
        """A centre that takes cases in the same province if there is one, else another province's."""
        current = next(c for c in self.centres.values() if c.pk == centre_id)
        candidates = [
            c
            for c in self.centres.values()
            if c.pk != centre_id and c.takes_cases and c.kind not in ("workstation", "national_centre")
        ]
        same = [c for c in candidates if c.region_id[:2] == current.region_id[:2]]
        return self.rng.choice(same or candidates)

    # -- the whole run -----------------------------------------------------------------------------------------

    def run(self) -> SeedSummary:
        started = time.monotonic()
        self.build_network()
        self.build_people()
        with simulated_now(self._later(self.setup_at, 2)):
            totp = self.add_totp_devices()
        plans = self.plan_cases()
        self.run_plans(plans)
        summary = collect_summary(created=True)
        summary.totp_devices = totp
        summary.seconds = time.monotonic() - started
        return summary


def demo_present() -> bool:
    from weiyuan.network.models import Centre

    return Centre.objects.filter(code=DEMO_MARKER_CENTRE).exists()


def collect_summary(*, created: bool) -> SeedSummary:
    from django.db.models import Count

    from weiyuan.accounts.models import User
    from weiyuan.cases.models import Case, CaseMessage, CaseShare
    from weiyuan.clocks.models import Clock, ClockState
    from weiyuan.evidence.models import EvidenceFile
    from weiyuan.network.models import Centre
    from weiyuan.notifications.models import OutboxMessage

    now = timezone.now()
    running = Clock.objects.filter(state=ClockState.RUNNING)
    return SeedSummary(
        created=created,
        centres=Counter(
            {
                row["filing_status"]: row["n"]
                for row in Centre.objects.values("filing_status").annotate(n=Count("id")).order_by()
            }
        ),
        accounts=User.objects.filter(email__endswith=DEMO_EMAIL_SUFFIX).count(),
        cases=Counter(
            {row["state"]: row["n"] for row in Case.objects_unscoped.values("state").annotate(n=Count("id")).order_by()}
        ),
        overdue_clocks=running.filter(due_at__lt=now).count(),
        due_soon_clocks=running.filter(due_at__gte=now, due_at__lt=now + dt.timedelta(days=3)).count(),
        evidence_files=EvidenceFile.objects_unscoped.count(),
        messages=CaseMessage.objects.count(),
        shares=CaseShare.objects.count(),
        outbox=OutboxMessage.objects.count(),
    )


def seed_demo(*, log: Callable[[str], None] = print) -> SeedSummary:
    """Load the demo network once; on a database that already has it, only add what is missing (TOTP devices)."""
    if demo_present():
        seeder = DemoSeeder(log=log)
        with transaction.atomic():
            made = seeder.add_totp_devices()
        summary = collect_summary(created=False)
        summary.totp_devices = made
        return summary
    with transaction.atomic():
        return DemoSeeder(log=log).run()
