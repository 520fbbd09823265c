"""Access-matrix rows of exhibitions and events (weiyuan/exhibitions).

The world gets a fair kept by the Shanghai centre with its station, two exhibitors (booth 1A01 is linked to
`applicant_other`'s account), `expert_assigned` on the station's duty roster today, and a served complaint filed
online by `applicant_own` against booth 1A01 (a certificate and a photo); and a fair of the Zhejiang centre with a
complaint of its own. The station API (`/api/v1/exhibitions/…`) follows the same rules as the pages.

An event and its station are seen by the keeping centre's staff, the supervisors above it and whoever is on the
duty roster (everyone else: 404, admins included); its staff manage it (supervisors and the expert: 403). A
complaint is also seen by the complainant's account and, once served, the respondent's; the respondent and the
centre's staff may defend; staff and the experts on duty download its files. The list is for centre staff,
supervisors and those on a duty roster; recording an event for centre staff.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.access_support import APPLICANTS, NOT_FOUND, STAFF_SH, STAFF_ZJ, STAFFLIKE, Route, case_rule, only

SEES_EVENT_A = {*STAFF_SH, "sh_supervisor", "national_supervisor", "expert_assigned"}
SEES_COMPLAINT_A = {*SEES_EVENT_A, "applicant_own", "applicant_other"}
SEES_B = {*STAFF_ZJ, "zj_supervisor", "national_supervisor"}


def extend_world(w: dict[str, Any]) -> None:
    from django.utils import timezone

    from tests.factories import pdf_upload, png_upload
    from weiyuan.exhibitions import complaint_services, services
    from weiyuan.exhibitions.complaint_services import ComplaintInput

    today = timezone.localdate()

    def fair(centre: Any, actor: Any, name: str) -> Any:
        event = services.event_create(
            actor=actor,
            centre=centre,
            data=services.EventInput(name, "会展中心", today, today + dt.timedelta(days=3), "主办方"),
        )
        services.exhibitors_import(
            event=event, actor=actor, name="x.csv", data="参展企业,展位号\n甲电器有限公司,1A01\n乙公司,1A02\n".encode()
        )
        return event

    def complaint(station: Any, actor: Any) -> Any:
        return complaint_services.complaint_file(
            station=station,
            actor=actor,
            data=ComplaintInput(
                complainant="权利人有限公司",
                right_type="design",
                right_number="ZL202130000001.0",
                right_owner="权利人有限公司",
                right_valid_from=today - dt.timedelta(days=10),
                right_valid_until=today + dt.timedelta(days=1000),
                respondent="1A01",
                exhibits="电吹风",
            ),
            certificate=pdf_upload("证书.pdf"),
            photos=[png_upload("现场.png")],
        )

    event_a = fair(w["shanghai"], w["sh_handler"], "上海矩阵展会")
    station_a = event_a.stations.get()
    services.duty_set(station=station_a, actor=w["sh_director"], day=today, user=w["expert_assigned"], kind="expert")
    services.exhibitor_link_account(
        exhibitor=event_a.exhibitors.get(booth="1A01"), actor=w["sh_handler"], account=w["applicant_other"]
    )
    complaint_a = complaint(station_a, w["applicant_own"])
    complaint_a = complaint_services.complaint_serve(complaint=complaint_a, actor=w["sh_handler"])
    event_b = fair(w["zhejiang"], w["zj_intake"], "浙江矩阵展会")
    complaint_b = complaint(event_b.stations.get(), w["zj_intake"])
    w.update(
        exh_event_a=event_a,
        exh_station_a=station_a,
        exh_complaint_a=complaint_a,
        exh_file_a=complaint_a.files.first().evidence,
        exh_event_b=event_b,
        exh_station_b=event_b.stations.get(),
        exh_complaint_b=complaint_b,
        exh_file_b=complaint_b.files.first().evidence,
    )


def pk_of(key: str, **extra: Any) -> Any:
    return lambda w: {"pk": w[key].pk, **extra}


def file_of(complaint: str, file: str) -> Any:
    return lambda w: {"pk": w[complaint].pk, "evidence_id": w[file].pk}


ROUTES: dict[str, Route] = {
    "exhibitions:list": Route("GET", expect=only(STAFFLIKE | {"expert_assigned"})),
    "exhibitions:new": Route("GET", expect=only(STAFF_SH | STAFF_ZJ)),
    "exhibitions:detail": Route("GET", kwargs=pk_of("exh_event_a"), expect=case_rule(SEES_EVENT_A)),
    # The report after the fair: the event page's rule.
    "exhibitions:report": Route("GET", kwargs=pk_of("exh_event_a"), expect=case_rule(SEES_EVENT_A)),
    "exhibitions:report_pdf": Route("GET", kwargs=pk_of("exh_event_a"), expect=case_rule(SEES_EVENT_A)),
    "exhibitions:report_xlsx": Route("GET", kwargs=pk_of("exh_event_a"), expect=case_rule(SEES_EVENT_A)),
    # The rights holder's online complaint: applicant accounts only (the event not over); others 403 / 404.
    "exhibitions:online": Route("GET", expect=only(APPLICANTS)),
    "exhibitions:online_complaint": Route("GET", kwargs=pk_of("exh_event_a"), expect=only(APPLICANTS, NOT_FOUND)),
    "exhibitions:import": Route("POST", kwargs=pk_of("exh_event_a"), expect=case_rule(SEES_EVENT_A, STAFF_SH)),
    "exhibitions:duty": Route("POST", kwargs=pk_of("exh_station_a"), expect=case_rule(SEES_EVENT_A, STAFF_SH)),
    "exhibitions:board": Route("GET", kwargs=pk_of("exh_station_a"), expect=case_rule(SEES_EVENT_A)),
    "exhibitions:complaint_new": Route("GET", kwargs=pk_of("exh_station_a"), expect=case_rule(SEES_EVENT_A, STAFF_SH)),
    "exhibitions:complaint": Route("GET", kwargs=pk_of("exh_complaint_a"), expect=case_rule(SEES_COMPLAINT_A)),
    "exhibitions:complaint_notice": Route("GET", kwargs=pk_of("exh_complaint_a"), expect=case_rule(SEES_COMPLAINT_A)),
    "exhibitions:complaint_file": Route(
        "GET",
        kwargs=file_of("exh_complaint_a", "exh_file_a"),
        expect=case_rule(SEES_COMPLAINT_A, STAFF_SH | {"expert_assigned"}),
    ),
    # An empty defence: whoever may defend gets the form back (400, served); others 403 / 404.
    "exhibitions:complaint_act": Route(
        "POST",
        kwargs=pk_of("exh_complaint_a", action="defend"),
        expect=case_rule(SEES_COMPLAINT_A, STAFF_SH | {"applicant_other"}),
    ),
}


def station_of(key: str) -> Any:
    return lambda w: {"station_id": w[key].pk}


def complaint_of(key: str) -> Any:
    return lambda w: {"complaint_id": w[key].pk}


# The station API. Writes without an Idempotency-Key: whoever may act gets 422 (served); others 403 / 404 first.
# Bodies are valid so that the request reaches the access rule (an invalid body is a 422 for everyone).
FILING = {
    "complainant": "权利人有限公司",
    "right_type": "trademark",
    "right_number": "12345678",
    "right_owner": "权利人有限公司",
    "respondent": "1A02",
    "exhibits": "吹风机",
}
ROUTES.update(
    {
        # The trademark check again: complaint A is a design, so the centre's staff get 409 (served).
        "exhibitions:complaint_mark_check": Route(
            "POST", kwargs=pk_of("exh_complaint_a"), expect=case_rule(SEES_COMPLAINT_A, STAFF_SH)
        ),
        "api:exhibitions_station_complaints": Route(
            "GET", kwargs=station_of("exh_station_a"), query="state=served", expect=case_rule(SEES_EVENT_A)
        ),
        "api:exhibitions_complaint_file": Route(
            "POST", kwargs=station_of("exh_station_a"), data=lambda w: FILING, expect=case_rule(SEES_EVENT_A, STAFF_SH)
        ),
        "api:exhibitions_complaint_detail": Route(
            "GET", kwargs=complaint_of("exh_complaint_a"), expect=case_rule(SEES_COMPLAINT_A)
        ),
        "api:exhibitions_complaint_serve": Route(
            "POST", kwargs=complaint_of("exh_complaint_a"), json=True, expect=case_rule(SEES_COMPLAINT_A, STAFF_SH)
        ),
        "api:exhibitions_complaint_defence": Route(
            "POST",
            kwargs=complaint_of("exh_complaint_a"),
            data=lambda w: {"text": "我方展品不侵权。"},
            expect=case_rule(SEES_COMPLAINT_A, STAFF_SH | {"applicant_other"}),
        ),
        "api:exhibitions_complaint_finding": Route(
            "POST",
            kwargs=complaint_of("exh_complaint_a"),
            json=True,
            data=lambda w: {"outcome": "refer", "reason": "需要进一步比对。"},
            expect=case_rule(SEES_COMPLAINT_A, {"expert_assigned"}),
        ),
        "api:exhibitions_complaint_measures": Route(
            "POST",
            kwargs=complaint_of("exh_complaint_a"),
            data=lambda w: {"signer": "张三"},
            expect=case_rule(SEES_COMPLAINT_A, STAFF_SH),
        ),
        "api:exhibitions_complaint_refusal": Route(
            "POST",
            kwargs=complaint_of("exh_complaint_a"),
            json=True,
            data=lambda w: {"note": "拒绝撤展。"},
            expect=case_rule(SEES_COMPLAINT_A, STAFF_SH),
        ),
    }
)

OTHER_CENTRE_ROUTES: dict[str, Route] = {
    "api:exhibitions_station_complaints": Route("GET", kwargs=station_of("exh_station_b"), expect=case_rule(SEES_B)),
    "api:exhibitions_complaint_detail": Route("GET", kwargs=complaint_of("exh_complaint_b"), expect=case_rule(SEES_B)),
    "api:exhibitions_complaint_serve": Route(
        "POST", kwargs=complaint_of("exh_complaint_b"), json=True, expect=case_rule(SEES_B, STAFF_ZJ)
    ),
    "exhibitions:detail": Route("GET", kwargs=pk_of("exh_event_b"), expect=case_rule(SEES_B)),
    "exhibitions:board": Route("GET", kwargs=pk_of("exh_station_b"), expect=case_rule(SEES_B)),
    "exhibitions:report": Route("GET", kwargs=pk_of("exh_event_b"), expect=case_rule(SEES_B)),
    "exhibitions:complaint": Route("GET", kwargs=pk_of("exh_complaint_b"), expect=case_rule(SEES_B)),
    "exhibitions:complaint_file": Route(
        "GET", kwargs=file_of("exh_complaint_b", "exh_file_b"), expect=case_rule(SEES_B, STAFF_ZJ)
    ),
    # complaint B is not served yet: "serve" for its centre's staff, 403 for supervisors, 404 for the rest
    "exhibitions:complaint_act": Route(
        "POST", kwargs=pk_of("exh_complaint_b", action="serve"), expect=case_rule(SEES_B, STAFF_ZJ)
    ),
}
