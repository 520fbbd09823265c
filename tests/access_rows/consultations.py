"""Access-matrix rows for consultations (weiyuan/consultations), and the helpers its tests share.

The world gets consultations of `applicant_own`: one at the Shanghai centre in handling (assigned to sh_handler,
with a volunteer task for `volunteer`), one at Shanghai already answered, one at Zhejiang just submitted (for the
other-centre rows), and a Shanghai case of service type consultation recorded through the generic intake.
"""

from __future__ import annotations

from typing import Any

from tests.access_support import (
    INTAKE,
    STAFF_SH,
    STAFF_ZJ,
    Route,
    case_rule,
    only,
    signed_in,
)
from tests.factories import make_case
from weiyuan.cases import services as cases
from weiyuan.consultations import services
from weiyuan.consultations.models import Consultation

QUESTION = "我们在淘宝上发现有网店销售仿冒我方注册商标的运动鞋，向平台投诉后对方提交了不侵权声明，接下来应该怎么办？"


def ask(centre: Any, applicant: Any, *, question: str = QUESTION, topic: str = "dispute", **extra: Any) -> Consultation:
    """A consultation asked online by an applicant account (through the service, as the web page and API do)."""
    data = services.AskInput(
        centre_code=centre.code,
        ip_type=extra.pop("ip_type", "trademark"),
        topic=topic,
        question=question,
        applicant_region_code=extra.pop("region", "310115"),
        **extra,
    )
    return services.consultation_ask(actor=applicant, data=data)


def take(consultation: Consultation, *, intake: Any, director: Any, handler: Any) -> Consultation:
    """Accepted by the intake officer and assigned to the handler by the director (the case spine's own steps)."""
    case = cases.case_accept(case=consultation.case, actor=intake)
    cases.case_assign(case=case, actor=director, handler=handler)
    return Consultation.objects.select_related("case").get(pk=consultation.pk)


def taken_at_shanghai(w: dict[str, Any], applicant: Any) -> Consultation:
    """Asked by `applicant` at the Shanghai centre of the `network` fixture, accepted and assigned to its handler."""
    return take(
        ask(w["shanghai"], applicant), intake=w["sh_intake"], director=w["sh_director"], handler=w["sh_handler"]
    )


def answered(consultation: Consultation, *, handler: Any, body: str = "", article_ids: tuple[int, ...] = ()) -> Any:
    consultation = Consultation.objects.select_related("case").get(pk=consultation.pk)
    return services.answer_send(
        consultation=consultation,
        actor=handler,
        body=body or "根据《电子商务法》第四十三条，平台转送声明后您应在十五日内向主管部门投诉或向人民法院起诉。",
        article_ids=list(article_ids),
        item_ids=[],
    )


def extend_world(w: dict[str, Any]) -> None:
    sh_people = {"intake": w["sh_intake"], "director": w["sh_director"], "handler": w["sh_handler"]}
    consult_open = take(ask(w["shanghai"], w["applicant_own"]), **sh_people)
    cases.case_task_assign(
        case=consult_open.case, actor=w["sh_director"], user=w["volunteer"], kind="volunteer", task="起草答复"
    )
    w["consult_open"] = consult_open
    consult_answered = take(ask(w["shanghai"], w["applicant_own"], topic="law"), **sh_people)
    answered(consult_answered, handler=w["sh_handler"])
    w["consult_answered"] = consult_answered
    w["consult_zj"] = ask(w["zhejiang"], w["applicant_own"], region="330106")
    # A consultation recorded through the generic intake form, not yet taken into the consultation flow.
    w["consult_generic"] = make_case(w["shanghai"], w["applicant_own"], service_type_code="consultation")


def _open(w: dict[str, Any]) -> dict[str, Any]:
    return {"tracking_number": w["consult_open"].case.tracking_number}


def _answered(w: dict[str, Any]) -> dict[str, Any]:
    return {"tracking_number": w["consult_answered"].case.tracking_number}


def _zj(w: dict[str, Any]) -> dict[str, Any]:
    return {"tracking_number": w["consult_zj"].case.tracking_number}


SUPERVISORS_SH = {"sh_supervisor", "national_supervisor"}
# Who may see the consultation in handling (and its draft answer): the applicant, the Shanghai centre, the
# supervisors above it, the volunteer with a task on it.
SEES_OPEN = {"applicant_own", *STAFF_SH, *SUPERVISORS_SH, "volunteer"}
SEES_ANSWERED = {"applicant_own", *STAFF_SH, *SUPERVISORS_SH}
SEES_ZJ = {"applicant_own", *STAFF_ZJ, "zj_supervisor", "national_supervisor"}
WRITES_OPEN = {"sh_handler", "sh_director", "volunteer"}  # the assigned handler, the director, the volunteer
APPROVES_OPEN = {"sh_handler", "sh_director"}

ROUTES: dict[str, Route] = {
    # Asking: applicant accounts for themselves, centre staff for a caller (as for any case).
    "consultations:ask": Route("GET", expect=only(INTAKE)),
    "consultations:ask_suggest": Route("GET", query="question=商标侵权怎么办", expect=signed_in),
    "consultations:ask_centres": Route("GET", query="region=310115&ip_type=trademark", expect=signed_in),
    "consultations:mine": Route("GET", expect=signed_in),
    "consultations:queue": Route("GET", expect=only(STAFF_SH | STAFF_ZJ | {"volunteer"})),
    "consultations:detail": Route("GET", kwargs=_open, expect=case_rule(SEES_OPEN)),
    "consultations:adopt": Route(
        "POST",
        kwargs=lambda w: {"tracking_number": w["consult_generic"].tracking_number},
        data=lambda w: {"topic": "law"},
        expect=case_rule(SEES_ANSWERED, STAFF_SH),
    ),
    "consultations:answer": Route("GET", kwargs=_open, expect=case_rule(SEES_OPEN, WRITES_OPEN)),
    "consultations:answer_lookup": Route(
        "GET", kwargs=_open, query="q=电子商务法第四十三条", expect=case_rule(SEES_OPEN, WRITES_OPEN)
    ),
    # An empty reason: an allowed role gets the form back with the message (no draft is waiting anyway).
    "consultations:answer_return": Route(
        "POST", kwargs=_open, data=lambda w: {"reason": ""}, expect=case_rule(SEES_OPEN, APPROVES_OPEN)
    ),
    "consultations:rate": Route(
        "POST", kwargs=_answered, data=lambda w: {"score": "9"}, expect=case_rule(SEES_ANSWERED, {"applicant_own"})
    ),
    "consultations:follow_up": Route(
        "POST", kwargs=_answered, data=lambda w: {"question": ""}, expect=case_rule(SEES_ANSWERED, {"applicant_own"})
    ),
    "consultations:featured": Route("GET", kwargs=_answered, expect=case_rule(SEES_ANSWERED, STAFF_SH)),
    "consultations:nominate": Route(
        "POST", kwargs=_answered, data=lambda w: {"reason": "答复清楚"}, expect=case_rule(SEES_ANSWERED, STAFF_SH)
    ),
    "consultations:redact": Route("POST", kwargs=_answered, expect=case_rule(SEES_ANSWERED, STAFF_SH)),
    # No nomination yet: the director's decision is refused with the reason (409), others 403 / 404.
    "consultations:decide": Route(
        "POST",
        kwargs=_answered,
        data=lambda w: {"decision": "reject", "reason": "不够典型"},
        expect=case_rule(SEES_ANSWERED, {"sh_director"}),
    ),
    "api:consultation_create": Route("POST", json=True, data=lambda w: {}, expect=signed_in),
    "api:consultation_detail": Route("GET", kwargs=_open, expect=case_rule(SEES_OPEN)),
    "api:consultation_rate": Route(
        "POST",
        kwargs=_answered,
        json=True,
        data=lambda w: {"score": 5, "comment": "很及时"},
        expect=case_rule(SEES_ANSWERED, {"applicant_own"}),
    ),
    "api:consultation_follow_up": Route(
        "POST",
        kwargs=_answered,
        json=True,
        data=lambda w: {"question": ""},
        expect=case_rule(SEES_ANSWERED, {"applicant_own"}),
    ),
}

# The consultation at the Zhejiang centre: the sh_* roles and the volunteer get 404.
OTHER_CENTRE_ROUTES: dict[str, Route] = {
    "consultations:detail": Route("GET", kwargs=_zj, expect=case_rule(SEES_ZJ)),
    # Not assigned yet: of the centre, only its director may write.
    "consultations:answer": Route("GET", kwargs=_zj, expect=case_rule(SEES_ZJ, {"zj_director"})),
    "consultations:featured": Route("GET", kwargs=_zj, expect=case_rule(SEES_ZJ, STAFF_ZJ)),
    "consultations:rate": Route(
        "POST", kwargs=_zj, data=lambda w: {"score": "5"}, expect=case_rule(SEES_ZJ, {"applicant_own"})
    ),
    "api:consultation_detail": Route("GET", kwargs=_zj, expect=case_rule(SEES_ZJ)),
}
