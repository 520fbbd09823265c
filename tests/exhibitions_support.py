"""Helpers for the exhibitions tests: a fair with the Shanghai centre's station, exhibitors, experts on duty and a
complaint ready to be served."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.factories import ApplicantFactory, UserFactory, pdf_upload, png_upload
from weiyuan.accounts.models import Membership
from weiyuan.clocks.rules import CHINA_TZ
from weiyuan.core.choices import Role
from weiyuan.exhibitions import services
from weiyuan.exhibitions.complaint_services import ComplaintInput, complaint_file
from weiyuan.exhibitions.models import Complaint, Event, Station
from weiyuan.exhibitions.services import EventInput

CSV = (
    "参展企业,展位号,展品,联系方式,国家或地区,行业门类\n"
    "宁波海曙仿制电器有限公司,1A01,电吹风,0574-1234567,中国,C\n"
    '"Acme Trading Co., Ltd.",1a02,Hair dryers,+1 555 0100,United States,F 批发和零售业\n'
    "杭州正品电器有限公司,1A03,电熨斗,0571-7654321,中国,\n"
)


def cst(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=CHINA_TZ)


def expert_user() -> Any:
    user = UserFactory()
    Membership.objects.create(user=user, centre=None, role=Role.EXPERT, organisation="华东理工大学")
    return user


def fair(
    network: dict[str, Any],
    *,
    starts_on: dt.date | None = None,
    days: int = 5,
    hours: int = 24,
    name: str = "中国进出口商品交易会",
) -> tuple[Event, Station]:
    first = starts_on or timezone.localdate()
    event = services.event_create(
        actor=network["sh_handler"],
        centre=network["shanghai"],
        data=EventInput(
            name=name,
            venue="国家会展中心（上海）",
            starts_on=first,
            ends_on=first + dt.timedelta(days=days - 1),
            organiser="中国对外贸易中心",
            defence_hours=hours,
            phases=({"name": "第一期", "starts_on": first.isoformat(), "ends_on": first.isoformat()},),
        ),
        location="1号馆服务台",
    )
    return event, event.stations.get()


def fair_world(network: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    event, station = fair(network, **kwargs)
    services.exhibitors_import(event=event, actor=network["sh_handler"], name="exhibitors.csv", data=CSV.encode())
    expert = expert_user()
    for offset in range((event.ends_on - event.starts_on).days + 1):
        services.duty_set(
            station=station,
            actor=network["sh_director"],
            day=event.starts_on + dt.timedelta(days=offset),
            user=expert,
            kind="expert",
        )
    respondent = ApplicantFactory()
    exhibitor = event.exhibitors.get(booth="1A01")
    services.exhibitor_link_account(exhibitor=exhibitor, actor=network["sh_handler"], account=respondent)
    organiser = ApplicantFactory()
    event.organiser_accounts.add(organiser)
    return {
        **network,
        "event": event,
        "station": station,
        "expert": expert,
        "respondent": respondent,
        "exhibitor": exhibitor,
        "organiser": organiser,
    }


def complaint_input(**overrides: Any) -> ComplaintInput:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "complainant": "上海飞科电器股份有限公司",
        "right_type": "design",
        "right_number": "ZL202130123456.7",
        "right_title": "电吹风",
        "right_owner": "上海飞科电器股份有限公司",
        "right_valid_from": today - dt.timedelta(days=400),
        "right_valid_until": today + dt.timedelta(days=3000),
        "respondent": "1A01",
        "exhibits": "展台正面陈列的 F-100 型电吹风",
    }
    values.update(overrides)
    return ComplaintInput(**values)


def file_complaint(w: dict[str, Any], *, now: dt.datetime | None = None, **overrides: Any) -> Complaint:
    return complaint_file(
        station=w["station"],
        actor=w["sh_handler"],
        data=complaint_input(**overrides),
        certificate=pdf_upload("外观设计专利证书.pdf"),
        photos=[png_upload("展台.png")],
        now=now,
    )
