"""Shared set-up of the opinion tests: a patent case at the Shanghai centre, handled by sh_handler, with two experts
holding open tasks, a third expert without one, and the Patent Law articles the opinions cite."""

from __future__ import annotations

from typing import Any

from tests.factories import ApplicantFactory, UserFactory, law_from_text, make_case
from weiyuan.accounts.models import Membership
from weiyuan.cases import services as case_services
from weiyuan.cases.models import CaseAssignment
from weiyuan.cases.services import RightInput
from weiyuan.core.choices import IPType, Role
from weiyuan.opinions import services
from weiyuan.opinions.letter import opinion_letter_generate
from weiyuan.opinions.models import Feature, Opinion

PATENT_LAW = """# 中华人民共和国专利法

2020年10月17日第十三届全国人民代表大会常务委员会第二十二次会议第四次修正

<!-- INFO END -->

第十一条 发明和实用新型专利权被授予后，除本法另有规定的以外，任何单位或者个人未经专利权人许可，都不得实施其专利，即不得为生产经营目的制造、使用、许诺销售、销售、进口其专利产品。

第六十四条 发明或者实用新型专利权的保护范围以其权利要求的内容为准，说明书及附图可以用于解释权利要求的内容。
"""  # noqa: E501 - a law text, one article per line

CLAIMS = (
    "1. 一种便携式折叠电动车车架，包括前架、后架和连接二者的折叠铰链，其特征在于：所述折叠铰"
    "链包括固定座和转动座；所述转动座通过销轴与所述固定座铰接；所述固定座上设有锁止销。\n"
    "2. 根据权利要求1所述的折叠电动车车架，其特征在于：所述锁止销为不锈钢材质。\n"
    "3. 一种折叠电动车，其特征在于，包括权利要求1所述的车架，以及安装在所述前架上的电池仓。"
)


def expert_user() -> Any:
    user = UserFactory()
    Membership.objects.create(user=user, centre=None, role=Role.EXPERT, organisation="某大学")
    return user


def patent_case(network: dict[str, Any], applicant: Any = None) -> Any:
    applicant = applicant or ApplicantFactory()
    right = RightInput(ip_type=IPType.UTILITY_MODEL, number="ZL202320123456.7", title="一种便携式折叠电动车车架")
    case = make_case(network["shanghai"], applicant, ip_type=IPType.UTILITY_MODEL, rights=[right])
    case = case_services.case_accept(case=case, actor=network["sh_intake"])
    case = case_services.case_assign(case=case, actor=network["sh_director"], handler=network["sh_handler"])
    return case_services.case_start(case=case, actor=network["sh_handler"])


def task(case: Any, user: Any, director: Any) -> CaseAssignment:
    return CaseAssignment.objects.create(case=case, user=user, kind="expert", task="技术特征比对", assigned_by=director)


def opinion_world(network: dict[str, Any]) -> dict[str, Any]:
    w = dict(network)
    w["applicant"] = ApplicantFactory()
    w["case"] = patent_case(network, w["applicant"])
    w["expert"] = expert_user()
    w["expert2"] = expert_user()
    w["expert_without_task"] = expert_user()
    task(w["case"], w["expert"], network["sh_director"])
    task(w["case"], w["expert2"], network["sh_director"])
    w["law"] = law_from_text(PATENT_LAW, name="专利法(2020-10-17).md")
    return w


def new_opinion(w: dict[str, Any], author: Any = None, kind: str = "utility_model") -> Opinion:
    return services.opinion_create(
        case=w["case"],
        actor=author or w["expert"],
        data=services.OpinionInput(kind=kind, title="折叠车架侵权判定", accused_object="骑迹牌 Q3 折叠电动车车架"),
    )


def charted(w: dict[str, Any], author: Any = None, comparison: str = "identical") -> Opinion:
    """A patent opinion with the three claims pasted, every feature compared, and the basis cited."""
    author = author or w["expert"]
    opinion = new_opinion(w, author)
    services.claims_import(opinion=opinion, actor=author, text=CLAIMS)
    for feature in Feature.objects.filter(claim__opinion=opinion):
        services.feature_update(
            feature=feature,
            actor=author,
            data=services.FeatureInput(
                text=feature.text,
                accused_text=f"被诉产品：{feature.text}",
                comparison=comparison,
                means="以卡扣代替销轴" if comparison == "equivalent" else "",
                function="实现铰接" if comparison == "equivalent" else "",
                effect="可折叠且稳固" if comparison == "equivalent" else "",
            ),
        )
    services.opinion_update(
        opinion=opinion,
        actor=author,
        data=services.NotesInput(
            title=opinion.title,
            accused_object=opinion.accused_object,
            basis="专利法 第十一条、第六十四条",
            prior_art_notes="被请求人未提出现有技术抗辩。",
            design_around_notes="可将锁止销改为磁吸定位。",
        ),
    )
    return Opinion.objects_unscoped.get(pk=opinion.pk)


def reviewed(w: dict[str, Any], **kwargs: Any) -> Opinion:
    opinion = charted(w, **kwargs)
    opinion = services.opinion_act(opinion=opinion, actor=opinion.author, action="submit")
    reviewer = w["sh_handler"] if opinion.author_id != w["sh_handler"].pk else w["expert2"]
    return services.opinion_act(opinion=opinion, actor=reviewer, action="review")


def signed(w: dict[str, Any], **kwargs: Any) -> Opinion:
    return services.opinion_act(opinion=reviewed(w, **kwargs), actor=w["sh_director"], action="sign")


def issued(w: dict[str, Any], **kwargs: Any) -> Opinion:
    return opinion_letter_generate(opinion=signed(w, **kwargs), actor=w["sh_director"])
