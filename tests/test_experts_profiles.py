"""Expert profiles: who creates and edits them, version-safe edits, the expert's own edit, deactivation, audit events,
duplicates, and bad input named by field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tests.experts_support import expert_input, make_expert
from tests.factories import UserFactory
from weiyuan.accounts.models import Membership
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.experts import services
from weiyuan.experts.models import Expert, ExpertFacet
from weiyuan.experts.selectors import ExpertFilters, expert_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def expert_user(db: Any) -> Any:
    user = UserFactory()
    Membership.objects.create(user=user, centre=None, role=Role.EXPERT)
    return user


def test_a_director_creates_for_their_centre_only(network: dict[str, Any]) -> None:
    d = network["sh_director"]
    expert = make_expert(d, network["shanghai"], name="甲", ipc_classes=["h04l 9/32"])
    assert expert.centre == network["shanghai"] and expert.version == 1
    assert set(ExpertFacet.objects.filter(expert=expert).values_list("key", flat=True)) >= {
        "ipc3:H04",
        "ipc:H04L",
        "ipcg:H04L9/32",
        "f:patent_law",
        "reg:310000",
        "regp:310000",
        "lang:zh",
        "q:professor",
        "avail:available",
    }
    event = AuditEvent.objects.get(action="expert.create")
    assert event.after["ipc_classes"] == ["H04L 9/32"] and event.chain == network["shanghai"].pk
    with pytest.raises(TransitionRefused) as other_centre:
        make_expert(d, network["zhejiang"])
    assert other_centre.value.status == 403
    for user in (network["sh_handler"], network["sh_intake"], network["national_supervisor"]):
        with pytest.raises(TransitionRefused):
            make_expert(user, network["shanghai"])


def test_bad_input_is_named_by_field_and_nothing_is_saved(network: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as bad:
        make_expert(
            network["sh_director"],
            network["shanghai"],
            name="",
            nice_classes=["0"],
            ipc_classes=["X99"],
            organisation_credit_code="123",
            fields=["炼金术"],
            hourly_rate="-5",
            user_email="nobody@example.cn",
            conflicts=[("", "", "")],
        )
    errors = bad.value.message_dict
    assert set(errors) == {
        "name",
        "nice_classes",
        "ipc_classes",
        "organisation_credit_code",
        "fields",
        "hourly_rate",
        "user_email",
        "conflicts",
    }
    assert errors["nice_classes"] == ["0 不是 1-45 之间的类别"]
    assert not Expert.objects_unscoped.exists()


def test_duplicates_are_refused(network: dict[str, Any], expert_user: Any) -> None:
    d, sh = network["sh_director"], network["shanghai"]
    first = make_expert(
        d, sh, name="张三", organisation_name="某某大学", credential_number="C-1", user_email=expert_user.email
    )
    with pytest.raises(ValidationError) as same_person:
        make_expert(d, sh, name="张 三", organisation_name="某某大学")
    assert f"编号 {first.pk}" in same_person.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as same_credential:
        make_expert(d, sh, name="李四", credential_number="c-1")
    assert "credential_number" in same_credential.value.message_dict
    with pytest.raises(ValidationError) as same_account:
        make_expert(d, sh, name="王五", user_email=expert_user.email)
    assert "user_email" in same_account.value.message_dict


def test_edits_are_version_safe_and_audited(network: dict[str, Any]) -> None:
    d = network["sh_director"]
    expert = make_expert(d, network["shanghai"], name="甲", nice_classes=["9"])
    updated = services.expert_update(
        expert=expert, actor=d, data=expert_input(name="甲", nice_classes=["25"]), expected_version=1
    )
    assert updated.version == 2 and updated.nice_classes == [25]
    event = AuditEvent.objects.get(action="expert.update")
    assert event.before["nice_classes"] == [9] and event.after["nice_classes"] == [25]
    # Someone edits the version-1 page that is now stale.
    with pytest.raises(TransitionRefused) as stale:
        services.expert_update(expert=expert, actor=d, data=expert_input(name="甲"), expected_version=1)
    assert stale.value.status == 409 and "第 2 版" in stale.value.reason
    assert Expert.objects_unscoped.get(pk=expert.pk).nice_classes == [25]
    assert ExpertFacet.objects.filter(expert=expert, key="nice:25").exists()
    assert not ExpertFacet.objects.filter(expert=expert, key="nice:9").exists()


def test_only_the_keeping_centre_s_director_or_an_admin_edits(network: dict[str, Any]) -> None:
    expert = make_expert(network["sh_director"], network["shanghai"], name="甲")
    for user in (network["zj_director"], network["sh_handler"]):
        with pytest.raises(TransitionRefused):
            services.expert_update(expert=expert, actor=user, data=expert_input(name="甲"), expected_version=None)
    admin = UserFactory(is_superuser=True, is_staff=True)
    services.expert_update(expert=expert, actor=admin, data=expert_input(name="甲改"), expected_version=None)
    assert Expert.objects_unscoped.get(pk=expert.pk).name == "甲改"


def test_an_expert_keeps_their_own_availability_fields_and_languages(network: dict[str, Any], expert_user: Any) -> None:
    expert = make_expert(
        network["sh_director"], network["shanghai"], name="本人", user_email=expert_user.email, nice_classes=["9"]
    )
    with pytest.raises(ValidationError) as bad:
        services.expert_update_own(
            expert=expert,
            actor=expert_user,
            availability="busy",
            busy_until=None,
            field_codes=["copyright_law"],
            languages=["zh", "de"],
            expected_version=1,
        )
    assert set(bad.value.message_dict) == {"busy_until"}

    own = services.expert_update_own(
        expert=expert,
        actor=expert_user,
        availability="busy",
        busy_until=dt.date(2031, 3, 1),
        field_codes=["copyright_law"],
        languages=["zh", "de"],
        expected_version=1,
    )
    assert (own.availability, own.languages, own.nice_classes, own.version) == ("busy", ["zh", "de"], [9], 2)
    assert [f.code for f in own.fields.all()] == ["copyright_law"]
    assert AuditEvent.objects.filter(action="expert.update_own", actor_id=expert_user.pk).exists()
    other = UserFactory()
    Membership.objects.create(user=other, centre=None, role=Role.EXPERT)
    with pytest.raises(TransitionRefused):
        services.expert_update_own(
            expert=expert,
            actor=other,
            availability="available",
            busy_until=None,
            field_codes=[],
            languages=[],
            expected_version=None,
        )
    with pytest.raises(TransitionRefused):
        services.expert_update(expert=expert, actor=expert_user, data=expert_input(name="本人"), expected_version=None)


def test_deactivate_needs_a_reason_and_takes_the_expert_out_of_matching(network: dict[str, Any]) -> None:
    d = network["sh_director"]
    expert = make_expert(d, network["shanghai"], name="甲")
    with pytest.raises(ValidationError):
        services.expert_deactivate(expert=expert, actor=d, reason=" ")
    services.expert_deactivate(expert=expert, actor=d, reason="已退休")
    assert not ExpertFacet.objects.filter(expert=expert, live=True).exists()
    assert ExpertFacet.objects.filter(expert=expert).exists()  # the lists still find it (filter "已停用")
    listed = expert_list(user=d, filters=ExpertFilters(active="0"))
    assert [e.pk for e in listed] == [expert.pk]
    assert not expert_list(user=d, filters=ExpertFilters()).exists()
    with pytest.raises(TransitionRefused, match="已停用"):
        services.expert_deactivate(expert=expert, actor=d, reason="再次")
    services.expert_reactivate(expert=expert, actor=d)
    assert ExpertFacet.objects.filter(expert=expert, live=True).exists()
    assert list(AuditEvent.objects.filter(object_id=str(expert.pk)).values_list("action", flat=True)) == [
        "expert.create",
        "expert.deactivate",
        "expert.reactivate",
    ]


def test_list_filters_use_the_facet_index(network: dict[str, Any]) -> None:
    d, sh = network["sh_director"], network["shanghai"]
    make_expert(d, sh, name="沪", regions=["310000"], ipc_classes=["H04L 9/32"], qualifications=["lawyer"])
    make_expert(d, sh, name="杭", regions=["330100"], nice_classes=["25"], languages=["zh", "en"])
    make_expert(d, sh, name="全国", regions=[], fields=["trademark_law"])

    def listed(**filters: Any) -> list[str]:
        return [e.name for e in expert_list(user=network["zj_intake"], filters=ExpertFilters(**filters))]

    assert listed() == ["全国", "杭", "沪"]
    assert listed(ipc="H04L") == ["沪"]
    assert listed(nice=25, language="en") == ["杭"]
    assert listed(region="330000") == ["杭"]  # a province: experts serving anywhere in it
    assert listed(region="330106") == ["杭"]  # a county of Hangzhou: covered by the Hangzhou expert
    assert listed(qualification="lawyer") == ["沪"]
    assert listed(field="trademark_law") == ["全国"]
    assert listed(q="杭") == ["杭"]
