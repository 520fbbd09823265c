"""The verdict and reasoning of an opinion from its chart or comparison as it is now (the pure rules are in
`verdict.py`); the page shows it live, sign-off fixes it on the opinion."""

from __future__ import annotations

from django.utils.translation import gettext as _

from weiyuan.opinions import verdict as v
from weiyuan.opinions.models import Opinion, OpinionKind


def chart_rows(opinion: Opinion) -> list[v.ClaimRow]:
    claims = opinion.claims.prefetch_related("features")
    return [v.ClaimRow(c.number, c.independent, tuple(f.row() for f in c.features.all())) for c in claims]


def opinion_verdict(opinion: Opinion) -> tuple[str, str]:
    """(verdict, reasoning) from the opinion's chart or comparison as it is now, in the active language."""
    if opinion.is_patent:
        result = v.chart_verdict(chart_rows(opinion))
        return result.verdict, result.reasoning
    if opinion.kind == OpinionKind.DESIGN:
        design = getattr(opinion, "design", None)
        if design is None:
            return v.UNDECIDED, ""
        weights = [d.weight for d in design.differences.all()]
        verdict = v.design_verdict(design.product_kind, design.impression, weights)
        lines = [
            _("产品种类：%(kind)s。") % {"kind": design.get_product_kind_display()},
            _("设计要点：%(text)s") % {"text": design.design_features},
        ]
        lines += [
            _("区别%(n)s：%(text)s（%(weight)s）") % {"n": d.position, "text": d.text, "weight": d.get_weight_display()}
            for d in design.differences.all()
        ]
        lines.append(
            _("整体视觉效果：%(impression)s。%(reasoning)s")
            % {"impression": design.get_impression_display(), "reasoning": design.reasoning}
        )
        lines.append(_("结论：%(verdict)s。") % {"verdict": v.verdict_label(verdict)})
        return verdict, "\n".join(lines)
    mark = getattr(opinion, "trademark", None)
    if mark is None:
        return v.UNDECIDED, ""
    verdict = v.trademark_verdict(mark.mark_similarity, mark.goods_similarity, mark.confusion)
    lines = [
        _("标识：%(reg)s 与 %(acc)s，%(sim)s。%(why)s")
        % {
            "reg": mark.registered_mark,
            "acc": mark.accused_mark,
            "sim": mark.get_mark_similarity_display(),
            "why": mark.mark_reasoning,
        },
        _("商品或服务：核定第%(rc)s类（类似群%(rg)s），被诉第%(ac)s类（类似群%(ag)s），%(sim)s。%(why)s")
        % {
            "rc": mark.registered_class,
            "rg": mark.registered_group,
            "ac": mark.accused_class,
            "ag": mark.accused_group,
            "sim": mark.get_goods_similarity_display(),
            "why": mark.goods_reasoning,
        },
        _("混淆可能性：%(c)s。%(why)s") % {"c": mark.get_confusion_display(), "why": mark.confusion_reasoning},
        _("结论：%(verdict)s。") % {"verdict": v.verdict_label(verdict)},
    ]
    return verdict, "\n".join(lines)
