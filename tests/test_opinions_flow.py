"""The opinion workflow: creation, the claim chart, the design and trademark comparisons, the declared table with its
guards (nothing submitted or signed without features, nothing signed uncompared or with an unreasoned equivalent, no
PDF for an unsigned opinion), four eyes, numbering at sign-off, audit events, and bad input naming the field."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from tests.opinions_support import CLAIMS, charted, new_opinion, opinion_world, reviewed, signed
from weiyuan.audit.models import AuditEvent
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.opinions import services
from weiyuan.opinions.letter import opinion_letter_generate
from weiyuan.opinions.models import Claim, Feature, Opinion, OpinionCounter, OpinionState
from weiyuan.opinions.transitions import TRANSITIONS, allowed_opinion_actions, check_opinion_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(network: dict[str, Any]) -> dict[str, Any]:
    return opinion_world(network)


def refused(exc: pytest.ExceptionInfo[TransitionRefused]) -> tuple[int, str]:
    return exc.value.status, exc.value.reason


def fresh(opinion: Opinion) -> Opinion:
    return Opinion.objects_unscoped.get(pk=opinion.pk)


# --- creating ----------------------------------------------------------------------------------------------------


def test_expert_with_task_and_assigned_handler_draft(w: dict[str, Any]) -> None:
    by_expert = new_opinion(w, w["expert"])
    by_handler = new_opinion(w, w["sh_handler"])
    assert by_expert.state == by_handler.state == OpinionState.DRAFT
    assert by_expert.number is None  # numbered at sign-off
    assert by_expert.applicant_name == w["case"].applicant_name
    assert by_expert.respondent_name == w["case"].respondent_name
    assert by_expert.right_number == "ZL202320123456.7"
    assert AuditEvent.objects.filter(action="opinion.create", case_id=w["case"].pk).count() == 2


@pytest.mark.parametrize("who", ["sh_director", "sh_intake", "expert_without_task", "applicant", "zj_director"])
def test_others_may_not_draft(w: dict[str, Any], who: str) -> None:
    with pytest.raises(TransitionRefused) as exc:
        new_opinion(w, w[who])
    assert exc.value.status == 403


def test_create_bad_input_names_the_field(w: dict[str, Any]) -> None:
    other_right = w["case"].rights.first().pk + 999
    with pytest.raises(ValidationError) as exc:
        services.opinion_create(
            case=w["case"],
            actor=w["expert"],
            data=services.OpinionInput(kind="copyright", title="  ", accused_object="", right_id=other_right),
        )
    errors = exc.value.message_dict
    assert set(errors) == {"kind", "title", "accused_object", "right_id"}
    assert "请填写标题" in errors["title"][0]


def test_ended_task_ends_the_experts_drafting(w: dict[str, Any]) -> None:
    opinion = new_opinion(w, w["expert"])
    w["case"].assignments.filter(user=w["expert"]).update(ended_at="2026-01-01T00:00:00Z")
    with pytest.raises(TransitionRefused):
        services.claims_import(opinion=fresh(opinion), actor=w["expert"], text=CLAIMS)


# --- the chart ---------------------------------------------------------------------------------------------------


def test_pasted_claims_become_claims_and_features(w: dict[str, Any]) -> None:
    opinion = new_opinion(w)
    services.claims_import(opinion=opinion, actor=w["expert"], text=CLAIMS)
    claims = list(Claim.objects.filter(opinion=opinion))
    assert [(c.number, c.independent, c.refers_to) for c in claims] == [(1, True, None), (2, False, 1), (3, True, None)]
    assert [f.text for f in claims[0].features.all()][:2] == [
        "包括前架、后架和连接二者的折叠铰链",
        "所述折叠铰链包括固定座和转动座",
    ]
    # Appending renumbers after the existing claims; replacing starts over.
    services.claims_import(opinion=opinion, actor=w["expert"], text="1. 一种车把，包括握把；刹车柄。")
    assert list(opinion.claims.values_list("number", flat=True)) == [1, 2, 3, 4]
    services.claims_import(opinion=opinion, actor=w["expert"], text="1. 一种车把，包括握把；刹车柄。", replace=True)
    assert list(opinion.claims.values_list("number", flat=True)) == [1]
    assert AuditEvent.objects.filter(action="opinion.claims_import").count() == 3


def test_features_are_edited_added_and_deleted(w: dict[str, Any]) -> None:
    opinion = new_opinion(w)
    services.claims_import(opinion=opinion, actor=w["expert"], text="1. 一种车把，包括握把；刹车柄。")
    claim = opinion.claims.get()
    added = services.feature_add(claim=claim, actor=w["expert"], text="车铃")
    assert added.position == 3
    first = claim.features.first()
    services.feature_update(
        feature=first,
        actor=w["expert"],
        data=services.FeatureInput(text="握把（橡胶）", accused_text="海绵握把", comparison="equivalent", means="包覆"),
    )
    first.refresh_from_db()
    assert (first.text, first.comparison, first.means) == ("握把（橡胶）", "equivalent", "包覆")
    services.feature_delete(feature=added, actor=w["expert"])
    assert claim.features.count() == 2
    services.claim_update(
        claim=claim, actor=w["expert"], text="一种车把，包括握把；刹车柄；车铃。", independent=True, resplit=True
    )
    assert [f.text for f in claim.features.all()] == ["握把", "刹车柄", "车铃"]
    actions = set(AuditEvent.objects.filter(case_id=w["case"].pk).values_list("action", flat=True))
    assert {
        "opinion.feature_add",
        "opinion.feature_update",
        "opinion.feature_delete",
        "opinion.claim_update",
    } <= actions


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "", "comparison": ""}, "text"),
        ({"text": "握把", "comparison": "similar"}, "comparison"),
        ({"text": "握把", "comparison": "identical", "accused_text": ""}, "accused_text"),
        ({"text": "握把\x00", "comparison": ""}, "text"),
        ({"text": "握" * 1001, "comparison": ""}, "text"),
    ],
)
def test_feature_bad_input_names_the_field(w: dict[str, Any], data: dict[str, str], field: str) -> None:
    opinion = new_opinion(w)
    services.claims_import(opinion=opinion, actor=w["expert"], text="1. 一种车把，包括握把；刹车柄。")
    feature = Feature.objects.filter(claim__opinion=opinion).first()
    with pytest.raises(ValidationError) as exc:
        services.feature_update(feature=feature, actor=w["expert"], data=services.FeatureInput(**data))
    assert field in exc.value.message_dict


def test_claims_import_bad_input(w: dict[str, Any]) -> None:
    opinion = new_opinion(w)
    with pytest.raises(ValidationError) as exc:
        services.claims_import(opinion=opinion, actor=w["expert"], text="  ")
    assert "claims_text" in exc.value.message_dict
    design = new_opinion(w, kind="design")
    with pytest.raises(ValidationError) as exc:
        services.claims_import(opinion=design, actor=w["expert"], text=CLAIMS)
    assert "claims" in exc.value.message_dict


def test_basis_cites_exact_article_versions_and_names_bad_lines(w: dict[str, Any]) -> None:
    opinion = charted(w)
    cited = list(opinion.basis.select_related("article__version"))
    assert [b.article.number_text for b in cited] == ["第十一条", "第六十四条"]
    assert all(b.article.version_id == w["law"].current_version_id for b in cited)
    with pytest.raises(ValidationError) as exc:
        services.opinion_update(
            opinion=opinion,
            actor=w["expert"],
            data=services.NotesInput(title="t", accused_object="x", basis="专利法 第九百条"),
        )
    assert "basis" in exc.value.message_dict


# --- the guards --------------------------------------------------------------------------------------------------


def test_an_empty_chart_cannot_be_submitted(w: dict[str, Any]) -> None:
    opinion = new_opinion(w)
    with pytest.raises(TransitionRefused) as exc:
        services.opinion_act(opinion=opinion, actor=w["expert"], action="submit")
    assert refused(exc)[0] == 409 and "为空" in refused(exc)[1]


def test_a_claim_without_features_cannot_be_submitted(w: dict[str, Any]) -> None:
    opinion = new_opinion(w)
    services.claims_import(opinion=opinion, actor=w["expert"], text=CLAIMS)
    Feature.objects.filter(claim__opinion=opinion, claim__number=2).delete()
    with pytest.raises(TransitionRefused) as exc:
        services.opinion_act(opinion=opinion, actor=w["expert"], action="submit")
    assert "权利要求2尚未分解技术特征" in refused(exc)[1]


def test_the_author_may_not_review(w: dict[str, Any]) -> None:
    opinion = services.opinion_act(opinion=charted(w), actor=w["expert"], action="submit")
    with pytest.raises(TransitionRefused) as exc:
        services.opinion_act(opinion=opinion, actor=w["expert"], action="review")
    assert refused(exc)[0] == 409
    assert [t.action for t in allowed_opinion_actions(opinion, w["expert"])] == []
    reviewed_opinion = services.opinion_act(opinion=opinion, actor=w["expert2"], action="review")
    assert reviewed_opinion.state == OpinionState.REVIEWED and reviewed_opinion.reviewer == w["expert2"]


def test_handler_author_is_reviewed_by_a_second_expert(w: dict[str, Any]) -> None:
    opinion = reviewed(w, author=w["sh_handler"])
    assert opinion.reviewer == w["expert2"]


def test_return_needs_comments_and_the_opinion_is_editable_again(w: dict[str, Any]) -> None:
    opinion = services.opinion_act(opinion=charted(w), actor=w["expert"], action="submit")
    with pytest.raises(services.TransitionRefused):
        services.claims_import(opinion=opinion, actor=w["expert"], text=CLAIMS)  # not while submitted
    with pytest.raises(ValidationError) as exc:
        services.opinion_act(opinion=opinion, actor=w["sh_handler"], action="return", comment=" ")
    assert "comment" in exc.value.message_dict
    opinion = services.opinion_act(opinion=opinion, actor=w["sh_handler"], action="return", comment="请补充等同理由。")
    assert opinion.state == OpinionState.RETURNED and opinion.return_comment == "请补充等同理由。"
    services.claims_import(opinion=opinion, actor=w["expert"], text="1. 一种车把，包括握把。")
    opinion = services.opinion_act(opinion=fresh(opinion), actor=w["expert"], action="submit")
    assert opinion.state == OpinionState.SUBMITTED


def test_director_sends_back_a_reviewed_opinion(w: dict[str, Any]) -> None:
    opinion = services.opinion_act(opinion=reviewed(w), actor=w["sh_director"], action="send_back", comment="依据不足")
    assert opinion.state == OpinionState.RETURNED


def test_unsigned_features_block_signing(w: dict[str, Any]) -> None:
    opinion = reviewed(w)
    Feature.objects.filter(claim__opinion=opinion, claim__number=1, position=2).update(comparison="")
    with pytest.raises(TransitionRefused) as exc:
        services.opinion_act(opinion=opinion, actor=w["sh_director"], action="sign")
    assert "尚未比对：1-2" in refused(exc)[1]


def test_an_equivalent_without_reasoning_cannot_be_signed(w: dict[str, Any]) -> None:
    opinion = reviewed(w, comparison="equivalent")
    Feature.objects.filter(claim__opinion=opinion, claim__number=3, position=1).update(effect="")
    with pytest.raises(TransitionRefused) as exc:
        services.opinion_act(opinion=opinion, actor=w["sh_director"], action="sign")
    assert "缺少手段、功能、效果的比对理由：3-1" in refused(exc)[1]


def test_a_chart_without_features_cannot_be_signed(w: dict[str, Any]) -> None:
    opinion = reviewed(w)
    Feature.objects.filter(claim__opinion=opinion).delete()
    with pytest.raises(TransitionRefused) as exc:
        services.opinion_act(opinion=opinion, actor=w["sh_director"], action="sign")
    assert "尚未分解技术特征" in refused(exc)[1]


def test_signing_needs_cited_articles(w: dict[str, Any]) -> None:
    opinion = reviewed(w)
    opinion.basis.all().delete()
    with pytest.raises(TransitionRefused) as exc:
        services.opinion_act(opinion=opinion, actor=w["sh_director"], action="sign")
    assert "法律条文" in refused(exc)[1]


@pytest.mark.parametrize("who", ["sh_handler", "expert2", "sh_intake"])
def test_only_the_director_signs(w: dict[str, Any], who: str) -> None:
    with pytest.raises(TransitionRefused) as exc:
        services.opinion_act(opinion=reviewed(w), actor=w[who], action="sign")
    assert exc.value.status == 403


def test_sign_numbers_the_opinion_and_fixes_the_verdict(w: dict[str, Any]) -> None:
    first = signed(w, comparison="equivalent")
    second = signed(w)
    centre = w["case"].centre_id
    assert re.fullmatch(rf"WYOP-\d{{4}}-{centre:05d}-0001", first.number)
    assert second.number.endswith("-0002")
    assert OpinionCounter.objects.get(centre_id=centre).last == 2
    assert first.verdict == "equivalent" and second.verdict == "literal"
    assert "构成等同侵权的可能性较大" in first.reasoning and "手段：以卡扣代替销轴" in first.reasoning
    assert first.signer == w["sh_director"] and first.signed_at is not None
    event = AuditEvent.objects.get(action="opinion.sign", object_id=str(first.pk))
    assert event.after["number"] == first.number


def test_no_pdf_for_an_unsigned_opinion(w: dict[str, Any]) -> None:
    opinion = reviewed(w)
    with pytest.raises(TransitionRefused) as exc:
        opinion_letter_generate(opinion=opinion, actor=w["sh_director"])
    assert refused(exc) == (409, "意见尚未签发，不能生成意见书 PDF。")
    assert not fresh(opinion).letter


def test_the_declared_table_walked_from_every_state(w: dict[str, Any]) -> None:
    """Every action from every state: allowed in its sources (for its holder), refused with a reason elsewhere."""
    opinion = charted(w, comparison="identical")
    holders = {
        "submit": w["expert"],
        "review": w["expert2"],
        "return": w["expert2"],
        "send_back": w["sh_director"],
        "sign": w["sh_director"],
        "generate": w["sh_director"],
    }
    for state in OpinionState.values:
        Opinion.objects_unscoped.filter(pk=opinion.pk).update(state=state)
        current = fresh(opinion)
        for transition in TRANSITIONS:
            actor = holders[transition.action]
            if state in transition.sources:
                assert check_opinion_transition(current, transition.action, actor) is transition
            else:
                with pytest.raises(TransitionRefused) as exc:
                    check_opinion_transition(current, transition.action, actor)
                assert exc.value.status == 409 and exc.value.reason


# --- designs and trademarks --------------------------------------------------------------------------------------

DESIGN = {
    "patent_product": "保温杯（竹韵）",
    "accused_product": "竹节保温杯",
    "product_kind": "same",
    "design_features": "杯身竹节纹样、杯盖弧度",
    "impression": "similar",
    "reasoning": "两者整体视觉效果无实质性差异。",
}

TRADEMARK = {
    "registered_mark": "云澜",
    "accused_mark": "雲瀾",
    "mark_similarity": "similar",
    "mark_reasoning": "繁简字形对应，读音相同，含义相同。",
    "registered_goods": "智能音箱",
    "registered_class": 9,
    "registered_group": "0907",
    "accused_goods": "蓝牙音箱",
    "accused_class": 9,
    "accused_group": "0907",
    "goods_similarity": "identical",
    "goods_reasoning": "同一类似群的同种商品。",
    "confusion": "likely",
    "confusion_reasoning": "相关公众容易误认为来源相同。",
}


def test_design_comparison_and_verdict(w: dict[str, Any]) -> None:
    opinion = new_opinion(w, kind="design")
    with pytest.raises(TransitionRefused):
        services.opinion_act(opinion=opinion, actor=w["expert"], action="submit")  # no comparison yet
    with pytest.raises(ValidationError) as exc:
        services.design_save(
            opinion=opinion, actor=w["expert"], data={**DESIGN, "product_kind": "x"}, differences=[("杯盖颜色", "")]
        )
    assert {"product_kind", "difference_1"} <= set(exc.value.message_dict)
    services.design_save(opinion=opinion, actor=w["expert"], data=DESIGN, differences=[("杯盖颜色不同", "minor")])
    assert services.opinion_verdict(fresh(opinion))[0] == "likely"
    services.design_save(opinion=opinion, actor=w["expert"], data=DESIGN, differences=[("杯身无竹节", "major")])
    verdict, reasoning = services.opinion_verdict(fresh(opinion))
    assert verdict == "not_infringing" and "杯身无竹节" in reasoning


def test_trademark_comparison_validates_nice_class_and_group(w: dict[str, Any]) -> None:
    opinion = new_opinion(w, kind="trademark")
    with pytest.raises(ValidationError) as exc:
        services.trademark_save(
            opinion=opinion, actor=w["expert"], data={**TRADEMARK, "registered_class": 46, "accused_group": "9A07"}
        )
    assert {"registered_class", "accused_group"} <= set(exc.value.message_dict)
    services.trademark_save(opinion=opinion, actor=w["expert"], data=TRADEMARK)
    verdict, reasoning = services.opinion_verdict(fresh(opinion))
    assert verdict == "likely" and "类似群0907" in reasoning


# --- pages -------------------------------------------------------------------------------------------------------


def test_pages_walk_the_flow_with_plain_forms(w: dict[str, Any]) -> None:
    client = Client()
    client.force_login(w["expert"])
    response = client.post(
        f"/cases/{w['case'].tracking_number}/opinions/new/",
        {"kind": "utility_model", "title": "车架意见", "accused_object": "Q3 车架", "right_id": ""},
    )
    opinion = Opinion.objects_unscoped.get(title="车架意见")
    assert response.status_code == 302 and response["Location"] == f"/opinions/{opinion.pk}/chart/"
    response = client.post(f"/opinions/{opinion.pk}/claims/import/", {"claims_text": CLAIMS}, follow=True)
    assert response.status_code == 200 and "权利要求3" in response.content.decode()
    feature = Feature.objects.filter(claim__opinion=opinion).first()
    response = client.post(
        f"/opinions/{opinion.pk}/features/{feature.pk}/", {"text": "前架", "comparison": "identical"}, follow=True
    )
    assert "被诉产品对应特征" in response.content.decode()  # the error names the field
    response = client.post(f"/opinions/{opinion.pk}/act/submit/")
    assert response.status_code == 302
    assert fresh(opinion).state == OpinionState.SUBMITTED
    response = client.post(f"/opinions/{opinion.pk}/act/review/")
    assert response.status_code == 409  # the author


def test_create_page_bad_input_is_shown_next_to_the_fields(w: dict[str, Any]) -> None:
    client = Client()
    client.force_login(w["sh_handler"])
    response = client.post(
        f"/cases/{w['case'].tracking_number}/opinions/new/", {"kind": "x", "title": "", "accused_object": ""}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "error-summary" in body and "意见类型" in body and "标题" in body


def test_the_next_person_is_told_through_the_outbox(w: dict[str, Any]) -> None:
    from weiyuan.notifications.models import OutboxMessage

    opinion = services.opinion_act(opinion=charted(w), actor=w["expert"], action="submit")
    assert OutboxMessage.objects.filter(recipient=w["sh_handler"], kind="opinion_submit").exists()
    opinion = services.opinion_act(opinion=opinion, actor=w["sh_handler"], action="review")
    assert OutboxMessage.objects.filter(recipient=w["sh_director"], kind="opinion_review").exists()
    services.opinion_act(opinion=opinion, actor=w["sh_director"], action="send_back", comment="请补充依据。")
    told = OutboxMessage.objects.filter(recipient=w["expert"], kind="opinion_send_back").first()
    assert told is not None and told.url == f"/opinions/{opinion.pk}/"
    issued = opinion_letter_generate(
        opinion=services.opinion_act(
            opinion=services.opinion_act(
                opinion=services.opinion_act(opinion=fresh(opinion), actor=w["expert"], action="submit"),
                actor=w["expert2"],
                action="review",
            ),
            actor=w["sh_director"],
            action="sign",
        ),
        actor=w["sh_director"],
    )
    assert OutboxMessage.objects.filter(recipient=w["applicant"], kind="opinion_issued").exists()
    assert issued.state == OpinionState.ISSUED


def test_the_comparison_page_shows_the_engines_proposal_for_the_saved_marks(w: dict[str, Any]) -> None:
    opinion = new_opinion(w, kind="trademark")
    client = Client()
    client.force_login(w["expert"])
    url = f"/opinions/{opinion.pk}/chart/"
    assert 'id="mark-proposal"' not in client.get(url).content.decode()  # no marks saved yet
    services.trademark_save(opinion=opinion, actor=w["expert"], data={**TRADEMARK, "accused_mark": "云谰"})
    html = client.get(url).content.decode()
    assert 'id="mark-proposal"' in html and "商标近似自动比对（参考）" in html
