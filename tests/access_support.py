"""Shared vocabulary of the access matrix (tests/test_access_matrix.py): outcomes, roles, rows and rules.

Rows for the routes of an app live beside it in `tests/access_rows/<app>.py`, which exposes `ROUTES`, optionally
`OTHER_CENTRE_ROUTES` and `extend_world(world)` (adds that app's records to the shared world).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

OK, NOT_FOUND, FORBIDDEN, LOGIN = "ok", "404", "403", "login"

ROLES = [
    "anonymous",
    "applicant_own",
    "applicant_other",
    "sh_intake",
    "sh_handler",
    "sh_director",
    "zj_intake",
    "zj_director",
    "sh_supervisor",
    "national_supervisor",
    "zj_supervisor",
    "expert_assigned",
    "expert_other",
    "partner",
    "volunteer",
    "admin",
]
STAFF_SH = {"sh_intake", "sh_handler", "sh_director"}
STAFF_ZJ = {"zj_intake", "zj_director"}
# Who may see case A (at the Shanghai centre, assigned to sh_handler, with an expert task). The expert of that task
# (`expert_assigned`) does not: an expert sees their task page and the documents shared with it, not the case.
SEES_CASE_A = {"applicant_own", *STAFF_SH, "sh_supervisor", "national_supervisor"}
# Who may see the expert task on case A (weiyuan/access/expert_tasks.py): its expert, the case centre's staff and
# the supervisors above it; who manages it (shares documents, personal data, deadline, ends it): the centre's staff.
SEES_TASK_A = {"expert_assigned", *STAFF_SH, "sh_supervisor", "national_supervisor"}
MANAGES_TASK_A = set(STAFF_SH)
# Who may see case B (at the Zhejiang centre, an unrelated applicant):
SEES_CASE_B = {*STAFF_ZJ, "zj_supervisor", "national_supervisor"}
DIRECTORS = {"sh_director", "zj_director"}
APPLICANTS = {"applicant_own", "applicant_other"}
STAFFLIKE = {*STAFF_SH, *STAFF_ZJ, "sh_supervisor", "national_supervisor", "zj_supervisor"}
EXPERTS = {"expert_assigned", "expert_other"}
INTAKE = APPLICANTS | STAFF_SH | STAFF_ZJ


@dataclass
class Route:
    method: str
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda w: {})
    # role -> expected outcome; roles not listed get `default`.
    expect: Callable[[str], str] = field(default=lambda role: OK)
    data: Callable[[dict[str, Any]], Any] = field(default=lambda w: {})
    query: str = ""
    json: bool = False


def public(role: str) -> str:
    return OK


def signed_in(role: str) -> str:
    return LOGIN if role == "anonymous" else OK


def case_rule(sees: set[str], may: set[str] | None = None) -> Callable[[str], str]:
    """Anonymous -> LOGIN; cannot see -> 404; can see but not act -> 403; may -> OK."""
    may = sees if may is None else may

    def expect(role: str) -> str:
        if role == "anonymous":
            return LOGIN
        if role not in sees:
            return NOT_FOUND
        return OK if role in may else FORBIDDEN

    return expect


def only(allowed: set[str], otherwise: str = FORBIDDEN) -> Callable[[str], str]:
    def expect(role: str) -> str:
        if role == "anonymous":
            return LOGIN
        return OK if role in allowed else otherwise

    return expect


def case_a(w: dict[str, Any]) -> dict[str, Any]:
    return {"tracking_number": w["case_a"].tracking_number}


def case_b(w: dict[str, Any]) -> dict[str, Any]:
    return {"tracking_number": w["case_b"].tracking_number}
