"""Access-matrix rows of the expert database (weiyuan/experts) and of matching experts for a case.

The world gets three profiles: one kept by the Shanghai centre and linked to `expert_assigned`'s account, one kept
by Shanghai whose affiliation is case A's applicant (a conflict, for the override row), and one kept by the Zhejiang
centre. The database is read by centre staff, supervisors and admins (everyone else: 403 on the lists, 404 on a
profile); an expert sees only their own profile and may edit parts of it; the keeping centre's directors and admins
edit, deactivate, create, import and export (directors of any centre create, import and export for their own).
Matching on a case is for the staff of its centre (others who see the case: 403); overriding a conflict for its
director only. Inviting is for the staff of the case's own centre; an invitation is seen by them and the invited
account only (everyone else: 404), answered by the invited account only (staff: 403).
"""

from __future__ import annotations

from typing import Any

from tests.access_support import (
    DIRECTORS,
    FORBIDDEN,
    LOGIN,
    OK,
    SEES_CASE_A,
    SEES_CASE_B,
    STAFF_SH,
    STAFF_ZJ,
    STAFFLIKE,
    Route,
    case_a,
    case_b,
    case_rule,
    only,
)
from tests.experts_support import make_expert

VIEWERS = {*STAFFLIKE, "admin"}
DB_MANAGERS = {*DIRECTORS, "admin"}


def extend_world(w: dict[str, Any]) -> None:
    w["expert_sh"] = make_expert(
        w["sh_director"], w["shanghai"], name="上海专家", user_email=w["expert_assigned"].email
    )
    w["expert_conflicted"] = make_expert(
        w["sh_director"], w["shanghai"], name="冲突专家", organisation_name=w["case_a"].applicant_name
    )
    w["expert_zj"] = make_expert(w["zj_director"], w["zhejiang"], name="浙江专家", regions=["330000"])
    _invitations(w)


def profile(key: str) -> Any:
    return lambda w: {"pk": w[key].pk}


def lists(role: str) -> str:
    """The database's list: viewers; an expert with a profile is sent to it; everyone else 403."""
    if role == "anonymous":
        return LOGIN
    return OK if role in VIEWERS | {"expert_assigned"} else FORBIDDEN


def override(key: str, case: str) -> Any:
    return lambda w: {"tracking_number": w[case].tracking_number, "pk": w[key].pk}


ROUTES: dict[str, Route] = {
    "experts:list": Route("GET", query="field=patent_law&nice=25", expect=lists),
    "experts:detail": Route("GET", kwargs=profile("expert_sh"), expect=case_rule(VIEWERS | {"expert_assigned"})),
    "experts:edit": Route(
        "GET",
        kwargs=profile("expert_sh"),
        expect=case_rule(VIEWERS | {"expert_assigned"}, {"sh_director", "admin", "expert_assigned"}),
    ),
    # An empty reason: the keeping centre's director gets the form error (served), nothing changes.
    "experts:status": Route(
        "POST",
        kwargs=lambda w: {"pk": w["expert_sh"].pk, "action": "deactivate"},
        data=lambda w: {"reason": ""},
        expect=case_rule(VIEWERS | {"expert_assigned"}, {"sh_director", "admin"}),
    ),
    "experts:create": Route("GET", expect=only(DB_MANAGERS)),
    "experts:import": Route("GET", expect=only(DB_MANAGERS)),
    "experts:import_template": Route("GET", expect=only(DB_MANAGERS)),
    "experts:export": Route("GET", query="nice=25", expect=only(DB_MANAGERS)),
    "experts:case_candidates": Route("GET", kwargs=case_a, expect=case_rule(SEES_CASE_A, STAFF_SH)),
    "experts:conflict_override": Route(
        "POST",
        kwargs=override("expert_conflicted", "case_a"),
        data=lambda w: {"reason": ""},
        expect=case_rule(SEES_CASE_A, {"sh_director"}),
    ),
    "api:expert_list": Route("GET", query="language=zh", expect=only(VIEWERS)),
    "api:expert_detail": Route(
        "GET",
        kwargs=lambda w: {"expert_id": w["expert_sh"].pk},
        expect=case_rule(VIEWERS | {"expert_assigned"}),
    ),
    "api:case_expert_candidates": Route("GET", kwargs=case_a, expect=case_rule(SEES_CASE_A, STAFF_SH)),
}

# The Zhejiang centre's profile and case B: the Shanghai director may read but not edit; the expert sees nothing.
OTHER_CENTRE_ROUTES: dict[str, Route] = {
    "experts:detail": Route("GET", kwargs=profile("expert_zj"), expect=case_rule(VIEWERS)),
    "experts:edit": Route("GET", kwargs=profile("expert_zj"), expect=case_rule(VIEWERS, {"zj_director", "admin"})),
    "experts:status": Route(
        "POST",
        kwargs=lambda w: {"pk": w["expert_zj"].pk, "action": "deactivate"},
        data=lambda w: {"reason": ""},
        expect=case_rule(VIEWERS, {"zj_director", "admin"}),
    ),
    "experts:case_candidates": Route("GET", kwargs=case_b, expect=case_rule(SEES_CASE_B, STAFF_ZJ)),
    "experts:conflict_override": Route(
        "POST",
        kwargs=override("expert_zj", "case_b"),
        data=lambda w: {"reason": ""},
        expect=case_rule(SEES_CASE_B, {"zj_director"}),
    ),
    "api:expert_detail": Route("GET", kwargs=lambda w: {"expert_id": w["expert_zj"].pk}, expect=case_rule(VIEWERS)),
    "api:case_expert_candidates": Route("GET", kwargs=case_b, expect=case_rule(SEES_CASE_B, STAFF_ZJ)),
}


# --- invitations (weiyuan/experts/invitations.py): staff of the case's own centre invite (a co-handling centre
# matches but does not invite); the invited expert's account answers; everyone else: the invitation is not there.


def _invitations(w: dict[str, Any]) -> None:
    """An invitation on case A to the Shanghai profile (`expert_assigned`'s account), one on case B to an expert
    outside the matrix's roles."""
    from tests.factories import UserFactory
    from weiyuan.accounts.models import Membership
    from weiyuan.core.choices import Role
    from weiyuan.experts.invitations import invitation_create
    from weiyuan.experts.models import ExpertInvitation

    w["invitation_a"] = invitation_create(
        case=w["case_a"], expert=w["expert_sh"], actor=w["sh_handler"], task="就商标近似性出具意见"
    )
    outsider = UserFactory()
    Membership.objects.create(user=outsider, centre=None, role=Role.EXPERT, organisation="某大学")
    w["invitation_b"] = ExpertInvitation.objects.create(
        case=w["case_b"],
        expert=w["expert_zj"],
        user=outsider,
        task="浙江的任务",
        response_days=3,
        due_at=w["invitation_a"].due_at,
        invited_by=w["zj_director"],
    )


def invitation(key: str) -> Any:
    return lambda w: {"pk": w[key].pk}


def invitation_act(key: str, action: str) -> Any:
    return lambda w: {"pk": w[key].pk, "action": action}


INVITEE_A = {"expert_assigned"}
SEES_INVITATION_A = STAFF_SH | INVITEE_A


def queue(role: str) -> str:
    if role == "anonymous":
        return LOGIN
    return OK if role in {"expert_assigned", "expert_other"} else FORBIDDEN


ROUTES.update(
    {
        "experts:invite": Route("GET", kwargs=override("expert_sh", "case_a"), expect=case_rule(SEES_CASE_A, STAFF_SH)),
        "experts:invitations": Route("GET", expect=queue),
        "experts:invitation": Route("GET", kwargs=invitation("invitation_a"), expect=case_rule(SEES_INVITATION_A)),
        # Without the undertaking: the invitee gets the form error (400); staff see it but may not sign (403).
        "experts:invitation_undertake": Route(
            "POST", kwargs=invitation("invitation_a"), expect=case_rule(SEES_INVITATION_A, INVITEE_A)
        ),
        # Accepting before the undertaking: 409 for the invitee; staff 403.
        "experts:invitation_act": Route(
            "POST", kwargs=invitation_act("invitation_a", "accept"), expect=case_rule(SEES_INVITATION_A, INVITEE_A)
        ),
    }
)

OTHER_CENTRE_ROUTES.update(
    {
        "experts:invite": Route("GET", kwargs=override("expert_zj", "case_b"), expect=case_rule(SEES_CASE_B, STAFF_ZJ)),
        "experts:invitation": Route("GET", kwargs=invitation("invitation_b"), expect=case_rule(STAFF_ZJ)),
        "experts:invitation_act": Route(
            "POST",
            kwargs=invitation_act("invitation_b", "withdraw"),
            data=lambda w: {"reason": ""},
            expect=case_rule(STAFF_ZJ),
        ),
    }
)
