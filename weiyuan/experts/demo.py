"""Demo experts for `manage.py seed_demo`: a few profiles kept by the demo centres, created by their directors through
the real service (audit events, facet index), one linked to the demo expert account (expert@weiyuan.demo), and two
with declared conflicts against respondents of the demo cases, so the matching page shows an exclusion. Idempotent:
a profile whose name and affiliation are already in the database is left alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

from django.utils import timezone

from weiyuan.core.choices import Role
from weiyuan.experts.models import Expert
from weiyuan.experts.normalise import dedupe_key
from weiyuan.experts.services import expert_create
from weiyuan.experts.validation import ConflictInput, ExpertInput

DEMO_EXPERT_EMAIL = "expert@weiyuan.demo"

# (the keeping centre's director, the profile); busy_until "+N" means N days from the day the demo is loaded.
DEMO_EXPERTS: tuple[tuple[str, ExpertInput], ...] = (
    (
        "director@sh.demo",
        ExpertInput(
            name="钱立衡",
            organisation_name="华东政法大学知识产权学院",
            title="教授",
            fields=["trademark_law", "copyright_law", "ecommerce_law"],
            nice_classes=["9", "25", "35"],
            languages=["zh", "en"],
            regions=["310000", "330000"],
            qualifications=["professor", "lawyer"],
            fee_terms="书面意见每件 3000 元；会商每次 1500 元。",
            hourly_rate="800",
            user_email=DEMO_EXPERT_EMAIL,
        ),
    ),
    (
        "director@sh.demo",
        ExpertInput(
            name="吴晓峰",
            organisation_name="中国科学院上海微系统与信息技术研究所",
            title="研究员（曾任专利审查员）",
            fields=["patent_law", "electronics", "computing"],
            ipc_classes=["H04L", "H04W", "G06F 16/00"],
            languages=["zh", "en", "ja"],
            regions=["310000", "320000"],
            qualifications=["examiner", "professor"],
            fee_terms="按小时计费。",
            hourly_rate="1000",
        ),
    ),
    (
        "director@sh.demo",
        ExpertInput(
            name="赵国栋",
            organisation_name="上海明诚律师事务所",
            title="合伙人律师",
            fields=["trademark_law", "unfair_competition", "ecommerce_law"],
            nice_classes=["9", "25", "35", "42"],
            languages=["zh"],
            regions=["310000"],
            qualifications=["lawyer"],
            availability="busy",
            busy_until="+20",
            conflicts=[ConflictInput(name="上海沪上好礼贸易有限公司", note="曾代理其商标异议案件")],
        ),
    ),
    (
        "director@zj.demo",
        ExpertInput(
            name="孙海燕",
            organisation_name="浙江大学药学院",
            title="教授",
            fields=["patent_law", "biomedicine", "chemistry"],
            ipc_classes=["A61K 31/00", "C12N", "C07D"],
            languages=["zh", "en"],
            regions=["330000"],
            qualifications=["professor", "patent_attorney"],
            hourly_rate="900",
        ),
    ),
    (
        "director@zj.demo",
        ExpertInput(
            name="冯建平",
            organisation_name="浙江工业大学机械工程学院",
            title="副教授",
            fields=["patent_law", "mechanical", "new_energy", "industrial_design"],
            ipc_classes=["B62K", "B60L", "F16H", "B25F"],
            languages=["zh"],
            regions=["330000"],
            qualifications=["professor"],
            conflicts=[ConflictInput(name="宁波骑迹车业有限责任公司", note="曾任技术顾问（2021-2023）")],
        ),
    ),
    (
        "director@zj.demo",
        ExpertInput(
            name="何志远",
            organisation_name="浙江省知识产权研究与服务中心",
            title="研究员（已退休）",
            fields=["geographical_indications", "agriculture_food", "trademark_law"],
            nice_classes=["29", "30", "31"],
            languages=["zh"],
            regions=["330000"],
            qualifications=["other"],
            availability="unavailable",
        ),
    ),
    (
        "director@gd.demo",
        ExpertInput(
            name="林文博",
            organisation_name="深圳大学微电子学院",
            title="教授",
            fields=["patent_law", "semiconductors", "ic_layout_law", "electronics"],
            ipc_classes=["H01L", "G06F", "H03K"],
            languages=["zh", "en"],
            regions=["440000"],
            qualifications=["professor"],
            conflicts=[ConflictInput(name="深圳市芯拓半导体有限公司", note="曾任其技术顾问")],
        ),
    ),
    (
        "director@gd.demo",
        ExpertInput(
            name="黄嘉怡",
            organisation_name="中山大学法学院",
            title="副教授（仲裁员）",
            fields=["overseas_disputes", "trademark_law", "customs_protection", "exhibitions"],
            nice_classes=["9", "11", "25"],
            languages=["zh", "en", "fr"],
            regions=["440000"],
            qualifications=["professor", "judge"],
            fee_terms="海外纠纷应对指导按项目报价。",
        ),
    ),
)


def experts_demo_seed(*, log: Callable[[str], None] = print) -> str:
    """Add the demo experts that are missing; returns a line for the seed_demo summary."""
    from weiyuan.accounts.models import User

    created = present = 0
    for director_email, data in DEMO_EXPERTS:
        if Expert.objects_unscoped.filter(dedupe_key=dedupe_key(data.name, data.organisation_name)).exists():
            present += 1
            continue
        director = User.objects.filter(email=director_email).first()
        if director is None:
            log(f"experts demo: {director_email} not found (run seed_demo's network first); skipped {data.name}")
            continue
        membership = director.memberships.filter(role=Role.DIRECTOR).select_related("centre").first()
        if membership is None or membership.centre is None:
            log(f"experts demo: {director_email} directs no centre; skipped {data.name}")
            continue
        if isinstance(data.busy_until, str) and data.busy_until.startswith("+"):
            # "+20": busy for the next 20 days, counted from the day the demo is loaded.
            data = replace(data, busy_until=timezone.localdate() + dt.timedelta(days=int(data.busy_until[1:])))
        expert_create(actor=director, centre=membership.centre, data=data)
        created += 1
    return f"Expert database: {created} demo experts added, {present} already present."
