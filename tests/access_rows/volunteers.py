"""Access-matrix rows of volunteers 志愿者 and staff qualifications (weiyuan/volunteers, weiyuan/access/volunteers.py).

The world gains the matrix volunteer's approved registration at the Shanghai centre with one hours entry awaiting
confirmation (no case), a pending application of `applicant_other` to the Zhejiang centre, and a qualification with
a certificate of the Shanghai handler. A registration is seen by its volunteer and the director of its centre (the
director decides, the volunteer logs hours and withdraws); hours are confirmed by the director; a centre's
qualifications are kept by its director, the certificate read by the director and the holder. Everyone else: 404.
"""

from __future__ import annotations

from typing import Any

from tests.access_support import DIRECTORS, Route, case_rule, only, public, signed_in

SEES_SH = {"volunteer", "sh_director"}
SEES_ZJ_PENDING = {"applicant_other", "zj_director"}


def extend_world(w: dict[str, Any]) -> None:
    from tests.factories import pdf_upload
    from tests.volunteers_support import make_registration
    from weiyuan.volunteers import services

    registration = make_registration(w["volunteer"], w["shanghai"], w["sh_director"], "approved")
    w["volunteer_sh"] = registration
    w["volunteer_hours_sh"] = services.hours_log(
        registration=registration,
        actor=w["volunteer"],
        data=services.HoursInput(worked_on=registration.created_at.date(), hours="2", activity="outreach"),
    )
    w["volunteer_zj_pending"] = make_registration(w["applicant_other"], w["zhejiang"], w["zj_director"], "pending")
    w["qualification_sh"] = services.qualification_add(
        centre=w["shanghai"],
        actor=w["sh_director"],
        data=services.QualificationInput(user_id=w["sh_handler"].pk, kind="lawyer", number="13101201510012345"),
        certificate=pdf_upload("律师执业证.pdf"),
    )


def reg(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["volunteer_sh"].pk}


ROUTES: dict[str, Route] = {
    "volunteers:apply": Route("GET", expect=public),
    "volunteers:list": Route("GET", expect=only(DIRECTORS)),
    "volunteers:mine": Route("GET", expect=signed_in),
    "volunteers:hours": Route("GET", expect=only({"sh_handler", "sh_director", "zj_director"})),
    "volunteers:detail": Route("GET", kwargs=reg, expect=case_rule(SEES_SH)),
    # Empty form: the volunteer gets 400 (fields named), the director 403.
    "volunteers:log_hours": Route("POST", kwargs=reg, expect=case_rule(SEES_SH, {"volunteer"})),
    # Suspending without a reason: the director gets 400, the volunteer 403.
    "volunteers:act": Route(
        "POST", kwargs=lambda w: {**reg(w), "action": "suspend"}, expect=case_rule(SEES_SH, {"sh_director"})
    ),
    "volunteers:hours_act": Route(
        "POST",
        kwargs=lambda w: {"pk": w["volunteer_hours_sh"].pk, "action": "confirm"},
        expect=case_rule(SEES_SH, {"sh_director"}),
    ),
    "volunteers:qualification_new": Route("GET", kwargs=lambda w: {"code": "sh"}, expect=case_rule({"sh_director"})),
    "volunteers:qualification_delete": Route(
        "POST", kwargs=lambda w: {"pk": w["qualification_sh"].pk}, expect=case_rule({"sh_director"})
    ),
    "volunteers:certificate": Route(
        "GET", kwargs=lambda w: {"pk": w["qualification_sh"].pk}, expect=case_rule({"sh_handler", "sh_director"})
    ),
}

OTHER_CENTRE_ROUTES: dict[str, Route] = {
    "volunteers:detail": Route(
        "GET", kwargs=lambda w: {"pk": w["volunteer_zj_pending"].pk}, expect=case_rule(SEES_ZJ_PENDING)
    ),
    "volunteers:act": Route(
        "POST",
        kwargs=lambda w: {"pk": w["volunteer_zj_pending"].pk, "action": "approve"},
        expect=case_rule(SEES_ZJ_PENDING, {"zj_director"}),
    ),
    "volunteers:qualification_new": Route("GET", kwargs=lambda w: {"code": "zj"}, expect=case_rule({"zj_director"})),
}
