"""Filing (备案): the declared table, who may take each action, reasons, and the filing pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import CentreFactory, UserFactory, make_case, staff
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.core.choices import Role
from weiyuan.network.models import Centre, CentreKind, Filing, FilingStatus
from weiyuan.network.services import FILING_TRANSITIONS, filing_allowed_actions, filing_transition

S = FilingStatus


@pytest.fixture
def child(network):
    """A new workstation under the Shanghai centre, not yet filed, with its own director."""
    centre = CentreFactory(
        code="sh-ws",
        name="临港工作站",
        kind=CentreKind.WORKSTATION,
        parent=network["shanghai"],
        region_id="310115",
        filing_status=S.DRAFT,
    )
    network["child"] = centre
    network["child_director"] = staff(centre, Role.DIRECTOR)
    return centre


def status_of(centre: Centre) -> str:
    return Centre.objects.get(pk=centre.pk).filing_status


# --- the service ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_submit_approve_by_the_parent_level(network, child):
    filing = filing_transition(
        actor=network["child_director"], centre=child, action="submit", text="园区工作站，已配备 2 名受理员。"
    )
    assert filing.status == S.SUBMITTED and filing.submitted_by == network["child_director"]
    assert filing.statement == "园区工作站，已配备 2 名受理员。"
    assert status_of(child) == S.SUBMITTED

    filing = filing_transition(actor=network["sh_director"], centre=child, action="approve")
    assert filing.status == S.APPROVED and filing.decided_by == network["sh_director"]
    assert status_of(child) == S.APPROVED
    assert Filing.objects.filter(centre=child).count() == 1
    actions = list(
        AuditEvent.objects.filter(object_type="network.centre", object_id=str(child.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == ["centre.filing_submit", "centre.filing_approve"]


@pytest.mark.django_db
def test_return_with_reason_then_resubmit(network, child):
    filing_transition(actor=network["child_director"], centre=child, action="submit", text="首次提交")
    filing = filing_transition(actor=network["sh_director"], centre=child, action="return", text="缺少场地证明。")
    assert filing.status == S.RETURNED and filing.decision_reason == "缺少场地证明。"
    assert status_of(child) == S.RETURNED
    filing_transition(actor=network["child_director"], centre=child, action="submit", text="已补充场地证明。")
    assert status_of(child) == S.SUBMITTED
    assert Filing.objects.filter(centre=child).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["return", "revoke"])
def test_return_and_revoke_require_a_reason_and_change_nothing_without_one(network, child, action):
    child.filing_status = S.SUBMITTED if action == "return" else S.APPROVED
    child.save(update_fields=["filing_status"])
    with pytest.raises(ValidationError) as err:
        filing_transition(actor=network["sh_director"], centre=child, action=action, text="   ")
    assert "reason" in err.value.message_dict
    assert status_of(child) == child.filing_status
    assert not Filing.objects.filter(centre=child).exists()
    assert not AuditEvent.objects.filter(action=f"centre.filing_{action}").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("child_director", "approve"),  # a centre cannot approve itself
        ("zj_director", "approve"),  # another province
        ("sh_handler", "approve"),  # parent staff, not its director
        ("sh_supervisor", "approve"),
        ("national_supervisor", "approve"),
        ("zj_director", "submit"),
        ("sh_intake", "submit"),
    ],
)
def test_who_may_not_take_a_filing_action(network, child, who, action):
    if action == "approve":
        filing_transition(actor=network["child_director"], centre=child, action="submit")
    before = status_of(child)
    with pytest.raises(TransitionRefused) as refused:
        filing_transition(actor=network[who], centre=child, action=action, text="理由")
    assert refused.value.status == 403
    assert refused.value.reason
    assert status_of(child) == before


@pytest.mark.django_db
def test_root_filing_is_decided_by_a_platform_admin(network):
    national = network["national"]
    national.filing_status = S.SUBMITTED
    national.save(update_fields=["filing_status"])
    with pytest.raises(TransitionRefused) as refused:
        filing_transition(actor=network["national_supervisor"], centre=national, action="approve")
    assert refused.value.status == 403
    admin = UserFactory(is_superuser=True, is_staff=True)
    filing_transition(actor=admin, centre=national, action="approve")
    assert status_of(national) == S.APPROVED


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(S.values))
@pytest.mark.parametrize("action", list(FILING_TRANSITIONS))
def test_the_filing_table_from_every_state(network, child, status, action):
    """Walk the table as the parent director: allowed actions work, the others are refused with the state named."""
    child.filing_status = status
    child.save(update_fields=["filing_status"])
    t = FILING_TRANSITIONS[action]
    allowed = status in t.sources
    assert (t in filing_allowed_actions(actor=network["sh_director"], centre=child)) == allowed
    if allowed:
        filing_transition(actor=network["sh_director"], centre=child, action=action, text="理由充分")
        assert status_of(child) == t.target
    else:
        with pytest.raises(TransitionRefused) as refused:
            filing_transition(actor=network["sh_director"], centre=child, action=action, text="理由充分")
        assert refused.value.status == 409
        assert str(S(status).label) in refused.value.reason
        assert status_of(child) == status


@pytest.mark.django_db
def test_unknown_action_is_refused(network, child):
    with pytest.raises(TransitionRefused) as refused:
        filing_transition(actor=network["sh_director"], centre=child, action="bless")
    assert refused.value.status == 400


@pytest.mark.django_db
def test_only_approved_centres_take_cases(network, child):
    with pytest.raises(ValidationError) as unfiled:
        make_case(child)
    assert set(unfiled.value.message_dict) == {"centre"}
    filing_transition(actor=network["child_director"], centre=child, action="submit")
    filing_transition(actor=network["sh_director"], centre=child, action="approve")
    assert make_case(Centre.objects.get(pk=child.pk)).centre_id == child.pk
    filing_transition(actor=network["sh_director"], centre=child, action="revoke", text="长期未开展工作。")
    with pytest.raises(ValidationError):
        make_case(Centre.objects.get(pk=child.pk))


# --- the pages --------------------------------------------------------------------------------------------------


FILINGS = reverse("network:filings")


def act(client, centre: Centre, action: str, text: str = "", **extra: str):
    return client.post(reverse("network:filing_action", args=[centre.code]), {"action": action, "text": text, **extra})


@pytest.mark.django_db
def test_child_director_submits_from_the_centre_page(client, network, child):
    client.force_login(network["child_director"])
    page = client.get(reverse("network:centre", args=[child.code]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "提交备案" in body and "修改机构信息" in body
    assert "准予备案" not in body
    response = act(client, child, "submit", "申请备案")
    assert response.status_code == 302 and response["Location"] == reverse("network:centre", args=[child.code])
    assert status_of(child) == S.SUBMITTED
    history = client.get(reverse("network:centre", args=[child.code])).content.decode()
    assert "备案记录" in history and "申请备案" in history


@pytest.mark.django_db
def test_parent_director_queue_and_decisions(client, network, child, django_assert_max_num_queries):
    filing_transition(actor=network["child_director"], centre=child, action="submit", text="请审核")
    for i in range(3):
        other = CentreFactory(code=f"sh-x{i}", parent=network["shanghai"], region_id="310115", filing_status=S.DRAFT)
        filing_transition(actor=network["sh_director"], centre=other, action="submit", text=f"代为提交{i}")
    zj_child = CentreFactory(code="zj-ws", parent=network["zhejiang"], region_id="330106", filing_status=S.SUBMITTED)

    client.force_login(network["sh_director"])
    client.get(FILINGS)  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(FILINGS)
    assert response.status_code == 200
    codes = [row["centre"].code for row in response.context["rows"]]
    assert set(codes) == {"sh-ws", "sh-x0", "sh-x1", "sh-x2"}
    assert zj_child.code not in codes
    body = response.content.decode()
    assert "请审核" in body and "准予备案" in body and "退回修改" in body

    # Returning without a reason: the field is named, nothing changes.
    response = act(client, child, "return", "", next=FILINGS)
    assert response.status_code == 400
    assert "说明或理由：退回或撤销备案须写明理由" in response.content.decode()
    assert status_of(child) == S.SUBMITTED

    response = act(client, child, "return", "材料不全", next=FILINGS)
    assert response.status_code == 302 and response["Location"] == FILINGS
    assert status_of(child) == S.RETURNED
    returned = client.get(FILINGS, {"status": "returned"})
    assert [row["centre"].code for row in returned.context["rows"]] == ["sh-ws"]
    assert "材料不全" in returned.content.decode()

    other = Centre.objects.get(code="sh-x0")
    assert act(client, other, "approve", next=FILINGS).status_code == 302
    assert status_of(other) == S.APPROVED
    approved = client.get(FILINGS, {"status": "approved"})
    assert "撤销备案" in approved.content.decode()
    assert act(client, other, "revoke", "停止运营").status_code == 302
    assert status_of(other) == S.REVOKED


@pytest.mark.django_db
def test_filing_page_refusals(client, network, child):
    filing_transition(actor=network["child_director"], centre=child, action="submit")
    # The child's own director cannot approve: 403 with the reason shown.
    client.force_login(network["child_director"])
    response = act(client, child, "approve")
    assert response.status_code == 403
    assert "上级机构负责人" in response.content.decode()
    # Wrong state: 409 with the state named.
    client.force_login(network["sh_director"])
    response = act(client, child, "revoke", "理由")
    assert response.status_code == 409
    assert "已提交" in response.content.decode()
    # Unknown action: the form names the field.
    response = act(client, child, "bless")
    assert response.status_code == 400
    assert "备案操作「bless」不存在" in response.content.decode()
    # Another province cannot even see an unfiled centre: 404.
    client.force_login(network["zj_director"])
    assert act(client, child, "approve").status_code == 404
    # An approved centre is public, so a stranger learns only that they have no say: 403.
    assert act(client, network["pudong"], "revoke", "理由").status_code == 403
    assert status_of(network["pudong"]) == S.APPROVED
    # An unsafe `next` is ignored.
    client.force_login(network["sh_director"])
    response = act(client, child, "approve", next="https://evil.example/")
    assert response["Location"] == reverse("network:centre", args=[child.code])


@pytest.mark.django_db
def test_filing_queue_access(client, network):
    assert client.get(FILINGS).status_code == 302  # anonymous: log in first
    client.force_login(network["sh_handler"])
    response = client.get(FILINGS)
    assert response.status_code == 403
    assert "负责人" in response.content.decode()
    client.force_login(network["zj_director"])
    assert client.get(FILINGS).status_code == 200


@pytest.mark.django_db
def test_filing_history_is_seen_by_the_two_directors_only(client, network, child):
    filing_transition(actor=network["child_director"], centre=child, action="submit", text="备案说明甲")
    filing_transition(actor=network["sh_director"], centre=child, action="approve")
    url = reverse("network:centre", args=[child.code])
    for who in ("child_director", "sh_director"):
        client.force_login(network[who])
        assert "备案说明甲" in client.get(url).content.decode(), who
    for who in ("sh_handler", "zj_director", "sh_supervisor"):
        client.force_login(network[who])
        body = client.get(url).content.decode()
        assert "备案说明甲" not in body and "备案记录" not in body, who
    client.logout()
    assert "备案说明甲" not in client.get(url).content.decode()
