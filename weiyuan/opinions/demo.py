"""Demo opinions for `manage.py seed_demo`: on a utility-model infringement-opinion case of the demo network, one
opinion written by the demo expert (expert@weiyuan.demo, given a task on the case), reviewed by the case's handler,
signed by the centre's director and issued as a letter; and one draft by the handler on another case. Everything goes
through the real services (audit events, numbering, the letter PDF). Idempotent: nothing is added once a demo
opinion exists.

The signed opinion cites the Patent Law and the Supreme People's Court's 2009 Interpretation; when they are not yet
imported (the first `make run` imports the laws after seeding), their two files are imported from the laws directory
(`WEIYUAN_LAWS_DIR`, default ../shared/data/laws), which `kb_import_laws` later finds unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

DEMO_TITLE_MARK = "（演示）"
BASIS = "专利法 第十一条、第六十四条\n最高人民法院关于审理侵犯专利权纠纷案件应用法律若干问题的解释 第七条"
LAW_FILES = ("专利法(2020-10-17).md", "最高人民法院关于审理侵犯专利权纠纷案件应用法律若干问题的解释(2009-12-28).md")

DEMO_CLAIMS = (
    "1. 一种便携式折叠电动车车架，包括前架、后架和连接二者的折叠铰链，其特征在于：所述折叠铰"
    "链包括固定座和转动座；所述转动座通过销轴与所述固定座铰接；所述固定座上设有锁止销，所述锁止"
    "销在弹簧作用下插入所述转动座的锁孔。\n"
    "2. 根据权利要求1所述的折叠电动车车架，其特征在于：所述锁止销为不锈钢材质。\n"
    "3. 根据权利要求1所述的折叠电动车车架，其特征在于：所述前架下部设有电池仓。"
)

# What the demo expert found on the accused frame, per feature of claim 1 (and the dependent claims).
ACCUSED: dict[str, tuple[str, str, tuple[str, str, str] | None]] = {
    "包括前架、后架和连接二者的折叠铰链": ("前架、后架通过折叠铰链连接", "identical", None),
    "所述折叠铰链包括固定座和转动座": ("铰链由固定座和转动座组成", "identical", None),
    "所述转动座通过销轴与所述固定座铰接": (
        "转动座通过卡扣式转轴与固定座连接",
        "equivalent",
        (
            "以卡扣式转轴代替销轴，均为转动连接",
            "使转动座相对固定座转动以实现折叠",
            "折叠顺畅、连接可靠，效果无实质差异",
        ),
    ),
    "所述固定座上设有锁止销，所述锁止销在弹簧作用下插入所述转动座的锁孔": (
        "固定座上设有弹簧锁止销，插入转动座锁孔",
        "identical",
        None,
    ),
    "所述锁止销为不锈钢材质": ("锁止销为镀锌碳钢", "absent", None),
    "所述前架下部设有电池仓": ("前架下部设有电池仓", "identical", None),
}


def _laws_dir() -> Path:
    default = Path(settings.BASE_DIR).parent / "shared" / "data" / "laws"
    return Path(os.environ.get("WEIYUAN_LAWS_DIR", default))


def _ensure_laws(log: Callable[[str], None]) -> bool:
    from weiyuan.knowledge.models import Law
    from weiyuan.knowledge.parsing import parse_law
    from weiyuan.knowledge.services import law_version_import

    keys = ("专利法", "最高人民法院关于审理侵犯专利权纠纷案件应用法律若干问题的解释")
    if Law.objects.filter(key__in=keys, current_version__isnull=False).count() == len(keys):
        return True
    directory = _laws_dir()
    files = [directory / name for name in LAW_FILES]
    if not all(f.exists() for f in files):
        log(f"opinions demo: {directory} lacks the Patent Law texts; the demo opinion is left unsigned")
        return False
    for path in files:
        law_version_import(parsed=parse_law(path))
    return True


def _cases() -> list[Any]:
    from weiyuan.cases.models import Case

    return list(
        Case.objects_unscoped.filter(
            service_type__code="infringement_opinion",
            ip_type__in=("utility_model", "invention"),
            state="in_handling",
            handler__isnull=False,
        )
        .select_related("centre")
        .order_by("id")[:2]
    )


def _director(centre_id: int) -> Any:
    from weiyuan.accounts.models import User

    return User.objects.filter(
        memberships__centre_id=centre_id, memberships__role="director", memberships__active=True, is_active=True
    ).first()


def _compare(opinion: Any, actor: Any) -> None:
    from weiyuan.opinions import services
    from weiyuan.opinions.models import Feature

    for feature in Feature.objects.filter(claim__opinion=opinion).select_related("claim"):
        accused, comparison, reasons = ACCUSED.get(feature.text, (feature.text, "identical", None))
        means, function, effect = reasons or ("", "", "")
        services.feature_update(
            feature=feature,
            actor=actor,
            data=services.FeatureInput(
                text=feature.text,
                accused_text=accused,
                comparison=comparison,
                means=means,
                function=function,
                effect=effect,
            ),
        )


@transaction.atomic
def opinions_demo_seed(*, log: Callable[[str], None] = print) -> str:
    from weiyuan.accounts.models import User
    from weiyuan.cases.models import CaseAssignment
    from weiyuan.cases.services import case_task_assign
    from weiyuan.opinions import services
    from weiyuan.opinions.letter import opinion_letter_generate
    from weiyuan.opinions.models import Opinion

    if Opinion.objects_unscoped.filter(title__endswith=DEMO_TITLE_MARK).exists():
        return "Demo opinions already present: nothing changed."
    cases = _cases()
    expert = User.objects.filter(email="expert@weiyuan.demo").first()
    if not cases or expert is None:
        return "Demo opinions: no utility-model opinion case in handling (or no demo expert); none added."
    case = cases[0]
    director = _director(case.centre_id)
    if not CaseAssignment.objects.filter(case=case, user=expert, kind="expert", ended_at__isnull=True).exists():
        case_task_assign(
            case=case,
            actor=case.handler,
            user=expert,
            kind="expert",
            task="对被诉折叠车架进行技术特征比对，起草侵权判定参考意见。",
        )
    opinion = services.opinion_create(
        case=case,
        actor=expert,
        data=services.OpinionInput(
            kind="utility_model",
            title=f"关于折叠电动车车架的侵权判定参考意见{DEMO_TITLE_MARK}",
            accused_object="被请求人官网及门店销售的折叠电动车车架（公证购买，含发票和实物照片）",
        ),
    )
    services.claims_import(opinion=opinion, actor=expert, text=DEMO_CLAIMS)
    _compare(opinion, expert)
    laws = _ensure_laws(log)
    services.opinion_update(
        opinion=opinion,
        actor=expert,
        data=services.NotesInput(
            title=opinion.title,
            accused_object=opinion.accused_object,
            basis=BASIS if laws else "",
            prior_art_notes="被请求人未提交现有技术证据；检索到的最接近现有技术未公开锁止销与转动座锁孔配合的结构。",
            design_around_notes="被请求人如改用不设锁止销的磁吸定位结构，可能不再具备技术特征1-4，宜另行比对。",
            conclusion="建议申请人固定被诉产品的销售证据后，向管理专利工作的部门请求处理或向人民法院起诉。",
        ),
    )
    lines = []
    if laws and director is not None:
        opinion = services.opinion_act(opinion=opinion, actor=expert, action="submit")
        opinion = services.opinion_act(opinion=opinion, actor=case.handler, action="review")
        opinion = services.opinion_act(opinion=opinion, actor=director, action="sign")
        opinion = opinion_letter_generate(opinion=opinion, actor=director)
        lines.append(
            f"  issued {opinion.number} on {case.tracking_number} (letter SHA-256 {opinion.letter_sha256[:12]}…)"
        )
    else:
        lines.append(f"  draft opinion on {case.tracking_number} (laws not imported: not signed)")
    other = cases[-1]
    draft = services.opinion_create(
        case=other,
        actor=other.handler,
        data=services.OpinionInput(
            kind=other.ip_type,
            title=f"侵权判定参考意见（草稿）{DEMO_TITLE_MARK}",
            accused_object="被诉产品（待补充型号）",
        ),
    )
    services.claims_import(opinion=draft, actor=other.handler, text=DEMO_CLAIMS)
    lines.append(f"  draft opinion on {other.tracking_number}")
    return "Demo opinions:\n" + "\n".join(lines)
