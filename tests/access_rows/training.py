"""Access-matrix rows of training 培训 (weiyuan/training, weiyuan/access/training.py).

The world gains an open (not public) event of the Shanghai centre, a draft event of the Zhejiang centre and an open
public event of the Zhejiang centre. A non-draft event is seen by the staff of every centre, the volunteers and the
supervisors above its centre (and, if public, by applicants); a draft only by its centre's staff and supervisors above
it. Staff and volunteers (and applicants, for a public event) register; the organiser centre's staff manage the
event; a centre's roster is its director's (everyone else: 404).
"""

from __future__ import annotations

from typing import Any

from tests.access_support import APPLICANTS, STAFF_SH, STAFF_ZJ, STAFFLIKE, Route, case_rule, only, signed_in

MEMBERS = {*STAFF_SH, *STAFF_ZJ, "volunteer"}
SEES_SH_OPEN = {*MEMBERS, "sh_supervisor", "national_supervisor"}
SEES_ZJ_DRAFT = {*STAFF_ZJ, "zj_supervisor", "national_supervisor"}
SEES_ZJ_PUBLIC = {*MEMBERS, *APPLICANTS, "zj_supervisor", "national_supervisor"}


def extend_world(w: dict[str, Any]) -> None:
    from tests.training_support import make_event

    w["training_sh"] = make_event(w["shanghai"], w["sh_handler"], "open")
    w["training_zj_draft"] = make_event(w["zhejiang"], w["zj_intake"], "draft")
    w["training_zj_public"] = make_event(w["zhejiang"], w["zj_intake"], "open", public=True)


def sh(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["training_sh"].pk}


ROUTES: dict[str, Route] = {
    "training:list": Route("GET", expect=only(STAFFLIKE | APPLICANTS | {"volunteer"})),
    "training:new": Route("GET", expect=only(STAFF_SH | STAFF_ZJ)),
    "training:mine": Route("GET", expect=signed_in),
    "training:roster": Route("GET", kwargs=lambda w: {"code": "sh"}, expect=case_rule({"sh_director"})),
    "training:event": Route("GET", kwargs=sh, expect=case_rule(SEES_SH_OPEN)),
    "training:edit": Route("GET", kwargs=sh, expect=case_rule(SEES_SH_OPEN, STAFF_SH)),
    "training:act": Route(
        "POST", kwargs=lambda w: {**sh(w), "action": "close"}, expect=case_rule(SEES_SH_OPEN, STAFF_SH)
    ),
    "training:register": Route("POST", kwargs=sh, expect=case_rule(SEES_SH_OPEN, MEMBERS)),
    # Nobody is registered: a member gets 409 ("not registered"), supervisors 403.
    "training:unregister": Route("POST", kwargs=sh, expect=case_rule(SEES_SH_OPEN, MEMBERS)),
    # The event is not held yet: its centre's staff get 409, the others who see it 403.
    "training:attendance": Route("POST", kwargs=sh, expect=case_rule(SEES_SH_OPEN, STAFF_SH)),
}

OTHER_CENTRE_ROUTES: dict[str, Route] = {
    "training:event": Route("GET", kwargs=lambda w: {"pk": w["training_zj_draft"].pk}, expect=case_rule(SEES_ZJ_DRAFT)),
    "training:act": Route(
        "POST",
        kwargs=lambda w: {"pk": w["training_zj_draft"].pk, "action": "open"},
        expect=case_rule(SEES_ZJ_DRAFT, STAFF_ZJ),
    ),
    "training:register": Route(
        "POST",
        kwargs=lambda w: {"pk": w["training_zj_public"].pk},
        expect=case_rule(SEES_ZJ_PUBLIC, MEMBERS | APPLICANTS),
    ),
    "training:roster": Route("GET", kwargs=lambda w: {"code": "zj"}, expect=case_rule({"zj_director"})),
}
