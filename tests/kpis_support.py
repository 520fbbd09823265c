"""A small hand-checked data set for the KPI tests (weiyuan/kpis), on the `network` of tests/factories.py.

March 2026 has no public holiday; its working days are 2-6, 9-13, 16-20, 23-27, 30-31 (22 days).

| case | centre | submitted | accepted (working days) | concluded (working days from submission) | other |
|---|---|---|---|---|---|
| c1 | sh | 03-02 | 03-04 (2) | 03-20 (14) | survey 03-20 answered (overall 4, speed 5); visit due 04-19 done |
| c2 | sh | 03-06 | 03-10 (2) | — | |
| c3 | sh | 03-02 | 03-09 (5) | 04-01 (22) | |
| c4 | sh | 03-03 | rejected | — | |
| c5 | sh | 03-05 | — | — | priority: small firm; an acceptance clock running, due 03-12 (overdue now) |
| c6 | sh-pd | 03-10 | 03-11 (1) | 03-31 (15) | priority: individual; survey 03-31 unanswered; visit due 04-30 |
| c7 | zj | 03-16 | 03-16 (0) | — | industry I; referred to a court 03-17 |

Clocks that ended: c1 acceptance due 03-09 ended 03-04 (on time), c2 acceptance due 03-13 ended 03-10 (on time),
c4 acceptance due 03-10 ended 03-11 (late), all in March; c3 handling due 03-20 ended 04-01 (late, April).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.factories import make_case
from weiyuan.cases.models import Case, CaseState
from weiyuan.clocks.models import Clock, ClockState
from weiyuan.core.choices import PriorityGroup

TZ = timezone.get_fixed_timezone(8 * 60)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=TZ)


def _case(centre: Any, submitted: dt.datetime, **fields: Any) -> Case:
    case = make_case(centre, priority_group=fields.pop("priority_group", ""), industry=fields.pop("industry", "C"))
    Clock.objects.filter(case=case).delete()
    Case.objects_unscoped.filter(pk=case.pk).update(submitted_at=submitted, **fields)
    return Case.objects_unscoped.get(pk=case.pk)


def _clock(case: Case, rule: str, due: dt.datetime, finished: dt.datetime | None) -> Clock:
    return Clock.objects.create(
        case=case,
        rule=rule,
        started_at=case.submitted_at,
        due_at=due,
        finished_at=finished,
        state=ClockState.MET if finished else ClockState.RUNNING,
    )


def build_march(network: dict[str, Any]) -> dict[str, Any]:
    from tests.referrals_support import make_org
    from weiyuan.feedback.models import ReturnVisit, ReturnVisitState, Survey
    from weiyuan.partners.models import OrganisationKind
    from weiyuan.referrals.models import Referral, ReferralState

    sh, pd, zj = network["shanghai"], network["pudong"], network["zhejiang"]
    concluded = CaseState.CONCLUDED
    c = {
        "c1": _case(sh, at(3, 2), accepted_at=at(3, 4), concluded_at=at(3, 20), state=concluded),
        "c2": _case(sh, at(3, 6), accepted_at=at(3, 10), state=CaseState.IN_HANDLING),
        "c3": _case(sh, at(3, 2), accepted_at=at(3, 9), concluded_at=at(4, 1), state=concluded),
        "c4": _case(sh, at(3, 3), state=CaseState.REJECTED),
        "c5": _case(sh, at(3, 5), state=CaseState.SUBMITTED, priority_group=PriorityGroup.SME),
        "c6": _case(
            pd,
            at(3, 10),
            accepted_at=at(3, 11),
            concluded_at=at(3, 31),
            state=concluded,
            priority_group=PriorityGroup.INDIVIDUAL_BUSINESS,
        ),
        "c7": _case(zj, at(3, 16, 9), accepted_at=at(3, 16, 15), state=CaseState.ACCEPTED, industry="I"),
    }
    _clock(c["c1"], "acceptance", at(3, 9, 17), at(3, 4))
    _clock(c["c2"], "acceptance", at(3, 13, 17), at(3, 10))
    _clock(c["c4"], "acceptance", at(3, 10, 17), at(3, 11))
    _clock(c["c3"], "handling", at(3, 20, 17), at(4, 1))
    _clock(c["c5"], "acceptance", at(3, 12, 17), None)
    applicant_1 = c["c1"].applicant_user
    Survey.objects.create(
        case=c["c1"], centre=sh, applicant=applicant_1, created_at=at(3, 20), answered_at=at(3, 21), overall=4, speed=5
    )
    Survey.objects.create(case=c["c6"], centre=pd, applicant=c["c6"].applicant_user, created_at=at(3, 31))
    ReturnVisit.objects.create(
        case=c["c1"], centre=sh, days_after=30, due_on=dt.date(2026, 4, 19), created_at=at(3, 20),
        state=ReturnVisitState.DONE, done_at=at(4, 20),
    )  # fmt: skip
    ReturnVisit.objects.create(
        case=c["c6"], centre=pd, days_after=30, due_on=dt.date(2026, 4, 30), created_at=at(3, 31)
    )
    court = make_org(network["zhejiang"], kind=OrganisationKind.COURT)
    Referral.objects.create(
        case=c["c7"], organisation=court, sent_by=network["zj_director"], cover_letter="移交函",
        state=ReferralState.SENT, sent_at=at(3, 17), ack_due_at=at(3, 20),
    )  # fmt: skip
    return c
