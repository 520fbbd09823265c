"""Helpers for the feedback tests: a concluded case (through the case services, so the conclusion opens the survey
and schedules the return visits), API clients."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.factories import ApplicantFactory, make_case
from weiyuan.cases import services as case_services


def concluded_case(network: dict[str, Any], applicant: Any = None, centre: str = "shanghai", **overrides: Any) -> Any:
    """A case accepted, assigned, handled and concluded by the centre's handler."""
    prefix = "sh" if centre == "shanghai" else "zj"
    case = make_case(network[centre], applicant or ApplicantFactory(), **overrides)
    case = case_services.case_accept(case=case, actor=network[f"{prefix}_intake"])
    case = case_services.case_assign(
        case=case, actor=network[f"{prefix}_director"], handler=network[f"{prefix}_handler"]
    )
    case = case_services.case_start(case=case, actor=network[f"{prefix}_handler"])
    return case_services.case_conclude(
        case=case,
        actor=network[f"{prefix}_handler"],
        outcome="advice_given",
        result_letter="已就维权途径提供书面指导意见。",
    )


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
