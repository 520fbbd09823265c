"""Helpers for the referral tests: organisations, partner accounts, a case ready to be referred."""

from __future__ import annotations

import itertools
from typing import Any

from tests.factories import ApplicantFactory, UserFactory, make_case, pdf_upload
from weiyuan.accounts.models import Membership
from weiyuan.cases import services as case_services
from weiyuan.core.choices import Role
from weiyuan.evidence.models import EvidenceFile
from weiyuan.partners.models import Organisation, OrganisationKind, OrganisationMember

_seq = itertools.count(1)


def make_org(keeper: Any, kind: str = OrganisationKind.COURT, **fields: Any) -> Organisation:
    n = next(_seq)
    values: dict[str, Any] = {
        "name": f"测试合作单位{n}",
        "kind": kind,
        "region_id": "310000",
        "keeper": keeper,
    }
    values.update(fields)
    return Organisation.objects.create(**values)


def partner_of(org: Organisation, **fields: Any) -> Any:
    """A partner account acting for the organisation."""
    user: Any = UserFactory(**fields)
    Membership.objects.create(user=user, centre=None, role=Role.PARTNER, organisation=org.name)
    OrganisationMember.objects.create(organisation=org, user=user)
    return user


def referrable_case(network: dict[str, Any], applicant: Any = None, centre: str = "shanghai", files: int = 2) -> Any:
    """A case accepted, assigned to the centre's handler and in handling, with `files` evidence files."""
    prefix = "sh" if centre == "shanghai" else "zj"
    applicant = applicant or ApplicantFactory()
    case = make_case(
        network[centre],
        applicant,
        evidence=[pdf_upload(f"证据{i}.pdf") for i in range(files)],
    )
    case = case_services.case_accept(case=case, actor=network[f"{prefix}_intake"])
    case = case_services.case_assign(
        case=case, actor=network[f"{prefix}_director"], handler=network[f"{prefix}_handler"]
    )
    return case_services.case_start(case=case, actor=network[f"{prefix}_handler"])


def case_files(case: Any) -> list[EvidenceFile]:
    return list(EvidenceFile.objects_unscoped.filter(case=case).order_by("pk"))
