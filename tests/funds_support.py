"""Helpers of the funds tests: a year's budget, an entry through the services, a second director."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.factories import staff
from weiyuan.core.choices import Role
from weiyuan.funds import services
from weiyuan.funds.services.common import today


def this_year() -> int:
    return today().year


def budget(network: dict[str, Any], centre: str = "shanghai", **amounts: str) -> None:
    services.budget_set(centre=network[centre], year=this_year(), amounts=amounts, actor=network["sh_director"])


def entry_input(
    amount: Any = "1000", category: str = "training", reason: str = "", spent_on: dt.date | None = None
) -> services.SpendingInput:
    return services.SpendingInput(
        category=category,
        amount=amount,
        spent_on=spent_on or today(),
        payee="上海某会展公司",
        description="知识产权保护培训会场地租赁",
        over_budget_reason=reason,
    )


def entry(network: dict[str, Any], actor: str = "sh_handler", **kwargs: Any) -> Any:
    return services.spending_create(centre=network["shanghai"], actor=network[actor], data=entry_input(**kwargs))


def second_director(network: dict[str, Any]) -> Any:
    return staff(network["shanghai"], Role.DIRECTOR)
