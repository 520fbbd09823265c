"""Display names of the keys the aggregates store (codes), in the request's language."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _


def _choices(choices_class: object) -> Callable[[str], str]:
    mapping = {str(value): str(label) for value, label in choices_class.choices}  # type: ignore[attr-defined]
    return lambda key: mapping.get(key, key)


def dimension_titles() -> dict[str, str]:
    return {
        "ip_type": _("知识产权类型"),
        "service_type": _("服务类型"),
        "channel": _("渠道"),
        "region": _("申请人所在省份"),
        "industry": _("行业"),
        "priority_group": _("重点服务对象"),
    }


def labeller(dimension: str) -> Callable[[str], str]:
    """A function from a stored key of `dimension` to its label ("未填写" for an empty key)."""
    from weiyuan.cases.models import Outcome, ServiceType
    from weiyuan.clocks.rules import RULES
    from weiyuan.core.choices import Channel, Industry, IPType, PriorityGroup
    from weiyuan.network.models import Region
    from weiyuan.network.provinces import province_name
    from weiyuan.partners.models import OrganisationKind
    from weiyuan.referrals.models import OutcomeKind, ReferralState

    if dimension == "service_type":
        names = {st.code: st.display_name for st in ServiceType.objects.all()}
        base: Callable[[str], str] = lambda key: names.get(key, key)  # noqa: E731
    elif dimension == "region":
        provinces = {
            code: province_name(code, name) for code, name in Region.objects.filter(level=1).values_list("code", "name")
        }
        base = lambda key: provinces.get(key, key)  # noqa: E731
    elif dimension == "clock":
        base = lambda key: str(RULES[key].label) if key in RULES else key  # noqa: E731
    elif dimension == "referral_outcome":
        outcome, state = _choices(OutcomeKind), _choices(ReferralState)
        base = lambda key: state(key[6:]) if key.startswith("state:") else outcome(key)  # noqa: E731
    else:
        base = _choices(
            {
                "ip_type": IPType,
                "channel": Channel,
                "industry": Industry,
                "priority_group": PriorityGroup,
                "outcome": Outcome,
                "partner_kind": OrganisationKind,
            }[dimension]
        )
    none = _("未填写")
    return lambda key: base(key) if key or dimension == "priority_group" else none
