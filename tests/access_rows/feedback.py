"""Access-matrix rows of feedback (weiyuan/feedback).

The world's concluded case (Shanghai, applicant_own) has its survey and its return visits, made by the conclusion
itself. A return visit of case B (Zhejiang) and a complaint by applicant_own about the Pudong sub-centre (handled by
its parent, the Shanghai centre) are added here. The survey is the applicant's: everyone else gets 404, on the case
page route, the signed link (which needs no sign-in) and the API. Return visits: the centre's staff record them,
supervisors above see them (403 on writes), everyone else 404. The complaint: the complainant, the handling centre's
staff and the supervisors above it see it; only its director replies.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.access_support import (
    LOGIN,
    NOT_FOUND,
    OK,
    SEES_CASE_A,
    STAFF_SH,
    STAFF_ZJ,
    STAFFLIKE,
    Route,
    case_rule,
    only,
    signed_in,
)

SEES_VISIT_A = {*STAFF_SH, "sh_supervisor", "national_supervisor"}
SEES_VISIT_B = {*STAFF_ZJ, "zj_supervisor", "national_supervisor"}
SEES_COMPLAINT = {"applicant_own", *STAFF_SH, "sh_supervisor", "national_supervisor"}


def extend_world(w: dict[str, Any]) -> None:
    from weiyuan.feedback.models import ReturnVisit, ServiceComplaint, Survey
    from weiyuan.feedback.services import survey_link_token

    now = timezone.now()
    survey = Survey.objects.get(case=w["case_concluded"])
    w["survey_token"] = survey_link_token(survey)
    w["visit_a"] = ReturnVisit.objects.filter(case=w["case_concluded"]).order_by("days_after").first()
    w["visit_b"] = ReturnVisit.objects.create(
        case=w["case_b"], centre=w["zhejiang"], days_after=30, due_on=now.date(), created_at=now
    )
    w["complaint"] = ServiceComplaint.objects.create(
        centre=w["pudong"],
        handling_centre=w["shanghai"],
        filed_by=w["applicant_own"],
        kind="complaint",
        subject="接待不及时",
        body="工作站电话多次无人接听，材料提交后一周无回复。",
        filed_at=now,
        reply_due_at=now + dt.timedelta(days=20),
    )


def applicant_only(role: str) -> str:
    return {"anonymous": LOGIN, "applicant_own": OK}.get(role, NOT_FOUND)


def link_holder(role: str) -> str:
    """The signed link needs no sign-in: the token stands for the applicant; another signed-in account gets 404."""
    return OK if role in ("anonymous", "applicant_own") else NOT_FOUND


def concluded(w: dict[str, Any]) -> dict[str, Any]:
    return {"tracking_number": w["case_concluded"].tracking_number}


BAD_SCORES = {"overall": 0, "speed": 3, "professionalism": 3, "usefulness": 3}

ROUTES: dict[str, Route] = {
    # An empty answer: the applicant gets the form back (400, naming the scores); nobody else finds the survey.
    "feedback:survey_answer": Route("POST", kwargs=concluded, expect=applicant_only),
    "feedback:survey_link": Route("POST", kwargs=lambda w: {"token": w["survey_token"]}, expect=link_holder),
    "feedback:complaint_new": Route("GET", kwargs=concluded, expect=case_rule(SEES_CASE_A, {"applicant_own"})),
    "feedback:complaints": Route("GET", query="state=open", expect=signed_in),
    "feedback:complaint": Route("GET", kwargs=lambda w: {"pk": w["complaint"].pk}, expect=case_rule(SEES_COMPLAINT)),
    # An empty reply: the handling director gets 400 (the reply is required); the others who see it 403.
    "feedback:complaint_act": Route(
        "POST",
        kwargs=lambda w: {"pk": w["complaint"].pk, "action": "reply"},
        data=lambda w: {"text": ""},
        expect=case_rule(SEES_COMPLAINT, {"sh_director"}),
    ),
    "feedback:visits": Route("GET", query="status=overdue", expect=only(STAFFLIKE)),
    "feedback:visit": Route("POST", kwargs=lambda w: {"pk": w["visit_a"].pk}, expect=case_rule(SEES_VISIT_A, STAFF_SH)),
    # The visit is still pending: staff get 409 (record it first); supervisors 403.
    "feedback:visit_open_case": Route(
        "POST",
        kwargs=lambda w: {"pk": w["visit_a"].pk},
        data=lambda w: {"service_type": "consultation"},
        expect=case_rule(SEES_VISIT_A, STAFF_SH),
    ),
    "api:feedback_survey": Route("GET", kwargs=concluded, expect=case_rule(SEES_CASE_A)),
    "api:feedback_survey_answer": Route(
        "POST", kwargs=concluded, json=True, data=lambda w: BAD_SCORES, expect=applicant_only
    ),
    "api:feedback_visit_list": Route("GET", query="status=due", expect=only(STAFFLIKE)),
    "api:feedback_visit_record": Route(
        "POST",
        kwargs=lambda w: {"visit_id": w["visit_a"].pk},
        json=True,
        data=lambda w: {"reached": True, "channel": "fax"},
        expect=case_rule(SEES_VISIT_A, STAFF_SH),
    ),
}

# Case B's visit (Zhejiang): the Shanghai staff and supervisor get 404.
OTHER_CENTRE_ROUTES: dict[str, Route] = {
    "feedback:visit": Route("POST", kwargs=lambda w: {"pk": w["visit_b"].pk}, expect=case_rule(SEES_VISIT_B, STAFF_ZJ)),
    "api:feedback_visit_record": Route(
        "POST",
        kwargs=lambda w: {"visit_id": w["visit_b"].pk},
        json=True,
        data=lambda w: {"reached": True, "channel": "fax"},
        expect=case_rule(SEES_VISIT_B, STAFF_ZJ),
    ),
}
