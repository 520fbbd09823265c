"""Access-matrix rows of major-dispute work (weiyuan/panels, weiyuan/access/panels.py).

The world gets case A confirmed major with a panel whose solution is drafted (members: `expert_assigned`'s profile
as chair, two experts without accounts; a held meeting, every view), and a second major case of `applicant_own` at
the Shanghai centre whose panel is signed (a stored PDF). The panel is seen by the staff of the case's centre, the
supervisors above it (read-only) and its member; the signed PDF also by the applicant; everyone else: 404.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from tests.access_support import (
    EXPERTS,
    LOGIN,
    NOT_FOUND,
    OK,
    SEES_CASE_A,
    SEES_CASE_B,
    STAFF_SH,
    STAFF_ZJ,
    Route,
    case_a,
    case_b,
    case_rule,
)
from tests.experts_support import make_expert
from tests.factories import make_case
from weiyuan.cases import services as cases
from weiyuan.experts.models import Expert
from weiyuan.panels import designation as major
from weiyuan.panels import services as panels
from weiyuan.panels.models import Panel, PanelState

SUPERVISORS_SH = {"sh_supervisor", "national_supervisor"}
PANEL_VIEWERS = {*STAFF_SH, *SUPERVISORS_SH, "expert_assigned"}
PANEL_WORKERS = {*STAFF_SH, "expert_assigned"}  # staff, and the member who chairs it
SOLUTION_READERS = {*STAFF_SH, *SUPERVISORS_SH, "applicant_own"}


def _panel(w: dict[str, Any], case: Any, chair_account: Any = None) -> Panel:
    panel = panels.panel_create(case=case, actor=w["sh_handler"], task="研究维权路径")
    chair = Expert.objects_unscoped.filter(user=chair_account).first() if chair_account else None
    if chair_account and chair is None:
        chair = make_expert(w["sh_director"], w["shanghai"], name="组长专家", user_email=chair_account.email)
    experts = [chair] if chair else []
    while len(experts) < 3:
        experts.append(make_expert(w["sh_director"], w["shanghai"], name=f"组员{case.pk}-{len(experts)}"))
    for i, expert in enumerate(experts):
        panels.panel_member_add(panel=panel, actor=w["sh_handler"], expert=expert, chair=i == 0)
    return panel


def extend_world(w: dict[str, Any]) -> None:
    director = w["sh_director"]
    case = w["case_a"]
    major.major_mark(case=case, actor=director, facts=major.case_facts(case=case, amount="9000000"), reason="金额巨大")
    case.refresh_from_db()
    panel = panels.panel_convene(panel=_panel(w, case, w["expert_assigned"]), actor=w["sh_handler"])
    from django.utils import timezone

    meeting = panels.meeting_schedule(
        panel=panel, actor=w["sh_handler"], scheduled_at=timezone.now(), place="会议室", online_link="", agenda="议程"
    )
    members = list(panel.members.all())
    panels.meeting_record(
        meeting=meeting, actor=w["sh_handler"], attendance={m.pk: "present" for m in members}, minutes="纪要"
    )
    for m in members:
        panels.view_write(member=m, actor=m.user or w["sh_handler"], text="意见")
    panel = panels.solution_draft(
        panel=panel, actor=w["sh_handler"], facts="事实", issues="焦点", solution="调解", recommendations="建议"
    )
    w["panel_a"] = panel
    w["panel_a_chair"] = panel.members.get(is_chair=True)
    w["meeting_a"] = meeting

    signed_case = make_case(w["shanghai"], w["applicant_own"])
    signed_case = cases.case_accept(case=signed_case, actor=w["sh_intake"])
    major.major_mark(
        case=signed_case, actor=director, facts=major.case_facts(case=signed_case, party_abroad=True), reason="境外"
    )
    signed_case.refresh_from_db()
    signed = _panel(w, signed_case)
    signed.pdf.save("solution.pdf", ContentFile(b"%PDF-1.4 matrix"), save=False)
    Panel.objects.filter(pk=signed.pk).update(state=PanelState.SIGNED, pdf=signed.pdf.name, pdf_sha256="0" * 64)
    w["panel_signed"] = signed


def panel(key: str, **more: Any) -> Any:
    return lambda w: {"pk": w[key].pk, **more}


def panel_lists(role: str) -> str:
    if role == "anonymous":
        return LOGIN
    return OK if role in STAFF_SH | STAFF_ZJ | EXPERTS else "403"


ROUTES: dict[str, Route] = {
    "panels:list": Route("GET", expect=panel_lists),
    "panels:detail": Route("GET", kwargs=panel("panel_a"), expect=case_rule(PANEL_VIEWERS)),
    # An empty reason: the director gets the form error (served), nothing changes.
    "panels:act": Route(
        "POST",
        kwargs=panel("panel_a", action="dissolve"),
        data=lambda w: {"reason": ""},
        expect=case_rule(PANEL_VIEWERS, {"sh_director"}),
    ),
    # Members are fixed once the solution is drafted: staff get 409 (served), the rest 403 / 404.
    "panels:member_add": Route(
        "POST", kwargs=panel("panel_a"), data=lambda w: {"expert": ""}, expect=case_rule(PANEL_VIEWERS, STAFF_SH)
    ),
    "panels:member_act": Route(
        "POST",
        kwargs=lambda w: {"pk": w["panel_a"].pk, "member_pk": w["panel_a_chair"].pk, "action": "chair"},
        expect=case_rule(PANEL_VIEWERS, STAFF_SH),
    ),
    # The chair's own view: the chair writes it (empty: a form error); staff may not overwrite it (409).
    "panels:view": Route(
        "POST",
        kwargs=lambda w: {"pk": w["panel_a"].pk, "member_pk": w["panel_a_chair"].pk},
        data=lambda w: {"text": ""},
        expect=case_rule(PANEL_VIEWERS, PANEL_WORKERS),
    ),
    "panels:meeting_new": Route("GET", kwargs=panel("panel_a"), expect=case_rule(PANEL_VIEWERS, PANEL_WORKERS)),
    "panels:meeting": Route(
        "GET",
        kwargs=lambda w: {"pk": w["panel_a"].pk, "meeting_pk": w["meeting_a"].pk},
        expect=case_rule(PANEL_VIEWERS),
    ),
    "panels:solution": Route("GET", kwargs=panel("panel_a"), expect=case_rule(PANEL_VIEWERS)),
    "panels:sign": Route("POST", kwargs=panel("panel_a"), expect=case_rule(PANEL_VIEWERS, {"sh_director"})),
    "panels:download": Route(
        "GET",
        kwargs=panel("panel_signed"),
        expect=lambda role: LOGIN if role == "anonymous" else (OK if role in SOLUTION_READERS else NOT_FOUND),
    ),
    "panels:major": Route("GET", kwargs=case_a, expect=case_rule(SEES_CASE_A, {*STAFF_SH, *SUPERVISORS_SH})),
    "panels:major_act": Route(
        "POST", kwargs=lambda w: {**case_a(w), "action": "confirm"}, expect=case_rule(SEES_CASE_A, {"sh_director"})
    ),
    "panels:create": Route("POST", kwargs=case_a, data=lambda w: {"task": ""}, expect=case_rule(SEES_CASE_A, STAFF_SH)),
}

OTHER_CENTRE_ROUTES: dict[str, Route] = {
    "panels:major": Route(
        "GET", kwargs=case_b, expect=case_rule(SEES_CASE_B, {*STAFF_ZJ, "zj_supervisor", "national_supervisor"})
    ),
    "panels:create": Route("POST", kwargs=case_b, data=lambda w: {"task": ""}, expect=case_rule(SEES_CASE_B, STAFF_ZJ)),
}
