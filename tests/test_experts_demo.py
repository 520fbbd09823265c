"""The demo experts: created by the demo directors through the service, idempotent, one linked to the demo expert
account, and a declared conflict that the matching shows for a demo respondent."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import ApplicantFactory, UserFactory, make_case
from weiyuan.accounts.models import Membership
from weiyuan.core.choices import IPType, Role
from weiyuan.experts.demo import DEMO_EXPERT_EMAIL, DEMO_EXPERTS, experts_demo_seed
from weiyuan.experts.matching import criteria_for_case, rank_candidates
from weiyuan.experts.models import Expert


@pytest.mark.django_db
def test_demo_experts_load_once_and_show_a_conflict(network: dict[str, Any]) -> None:
    for email, centre in (
        ("director@sh.demo", network["shanghai"]),
        ("director@zj.demo", network["zhejiang"]),
        ("director@gd.demo", network["pudong"]),
    ):
        Membership.objects.create(user=UserFactory(email=email), centre=centre, role=Role.DIRECTOR)
    expert_account = UserFactory(email=DEMO_EXPERT_EMAIL)
    Membership.objects.create(user=expert_account, centre=None, role=Role.EXPERT)

    assert experts_demo_seed(log=lambda line: None) == (
        f"Expert database: {len(DEMO_EXPERTS)} demo experts added, 0 already present."
    )
    assert experts_demo_seed(log=lambda line: None).endswith(
        f"0 demo experts added, {len(DEMO_EXPERTS)} already present."
    )
    assert Expert.objects_unscoped.count() == len(DEMO_EXPERTS)
    assert Expert.objects_unscoped.get(user=expert_account).name == "钱立衡"

    case = make_case(
        network["zhejiang"],
        ApplicantFactory(),
        ip_type=IPType.UTILITY_MODEL,
        applicant_region_code="330106",
        respondent_name="宁波骑迹车业有限公司",
    )
    result = rank_candidates(case=case, criteria=criteria_for_case(case, ipc_classes=["B62K"]))
    assert [c.expert.name for c in result.excluded] == ["冯建平"]
    assert "何志远" not in [c.expert.name for c in result.ranked]  # unavailable
