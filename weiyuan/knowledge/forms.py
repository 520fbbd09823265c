"""Forms of the knowledge base's staff pages. They parse and check input; the services decide and write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from weiyuan.knowledge.content import ItemContent
from weiyuan.knowledge.models import ItemType, KnowledgeItemVersion, Tag, TagKind
from weiyuan.knowledge.selectors import articles_for_citations, citations_text
from weiyuan.network.models import Centre

CITATIONS_HELP = _(
    "每行写一部法律及其条文，例如「电子商务法 第四十二条、第四十三条」或「专利法 第六十五条至第六十八条」；"
    "引用的是该法现行版本的条文。"
)


class TagField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def _tags(kind: str) -> Any:
    return Tag.objects.filter(kind=kind).order_by("position", "code")


class ItemForm(forms.Form):
    """The text of one version: title, summary, body (or question and answer), cited articles and tags."""

    title = forms.CharField(label=_("标题"), max_length=200)
    summary = forms.CharField(
        label=_("摘要"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("一两句话说明本条目解决什么问题，显示在列表和检索结果中。"),
    )
    question = forms.CharField(label=_("问题"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    answer = forms.CharField(label=_("解答"), required=False, widget=forms.Textarea(attrs={"rows": 12}))
    body = forms.CharField(
        label=_("正文"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("空行分段；以「## 」开头的一行是小标题，以「- 」或「1. 」开头的行是列表。"),
    )
    citations = forms.CharField(
        label=_("引用条文"),
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "hx-get": "",  # set in __init__ (the preview URL)
                "hx-trigger": "keyup changed delay:600ms",
                "hx-target": "#citation-preview",
                "hx-sync": "this:replace",
            }
        ),
        help_text=CITATIONS_HELP,
    )
    ip_types = TagField(label=_("知识产权类型"), queryset=Tag.objects.none(), required=False)
    industries = TagField(label=_("行业"), queryset=Tag.objects.none(), required=False)
    topics = TagField(label=_("主题"), queryset=Tag.objects.none(), required=False)
    change_note = forms.CharField(
        label=_("修改说明"),
        required=False,
        max_length=300,
        help_text=_("本版本改了什么（显示在版本历史中），例如「根据 2020 年专利法修改第三部分」。"),
    )

    def __init__(self, *args: Any, item_type: str, preview_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item_type = item_type
        for name, kind in (("ip_types", TagKind.IP_TYPE), ("industries", TagKind.INDUSTRY), ("topics", TagKind.TOPIC)):
            cast(TagField, self.fields[name]).queryset = _tags(kind)
        self.fields["citations"].widget.attrs["hx-get"] = preview_url
        # Q&A has a question and an answer; the other types a body (the service checks the same).
        if item_type == ItemType.QA:
            del self.fields["body"]
            self.fields["question"].required = True
            self.fields["answer"].required = True
        else:
            del self.fields["question"]
            del self.fields["answer"]
            self.fields["body"].required = True

    def clean_citations(self) -> list[Any]:
        try:
            return articles_for_citations(self.cleaned_data.get("citations", ""))
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def content(self) -> ItemContent:
        data = self.cleaned_data
        return ItemContent(
            title=data["title"],
            summary=data.get("summary", ""),
            body=data.get("body", ""),
            question=data.get("question", ""),
            answer=data.get("answer", ""),
            articles=data["citations"],
            tags=[*data["ip_types"], *data["industries"], *data["topics"]],
            change_note=data.get("change_note", ""),
        )

    @staticmethod
    def initial_from(version: KnowledgeItemVersion) -> dict[str, Any]:
        tags = list(version.tags.all())
        return {
            "title": version.title,
            "summary": version.summary,
            "body": version.body,
            "question": version.question,
            "answer": version.answer,
            "citations": citations_text(
                [c.article for c in version.citations.select_related("article__version__law").order_by("position")]
            ),
            "ip_types": [t.pk for t in tags if t.kind == TagKind.IP_TYPE],
            "industries": [t.pk for t in tags if t.kind == TagKind.INDUSTRY],
            "topics": [t.pk for t in tags if t.kind == TagKind.TOPIC],
        }


class CentreChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class ItemCreateForm(ItemForm):
    """A new item: the text plus, for staff of several centres, the centre it is written for."""

    centre = CentreChoiceField(label=_("作者机构"), queryset=Centre.objects.none(), empty_label=None)

    field_order = ["centre", "title"]

    def __init__(self, *args: Any, centres: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(CentreChoiceField, self.fields["centre"]).queryset = centres
        self.fields["centre"].help_text = _("条目以该机构的名义发布，由该机构的负责人或知识库编辑审核。")
        choices = list(centres)
        if choices:
            self.fields["centre"].initial = choices[0].pk
        if len(choices) == 1:
            self.fields["centre"].widget = forms.HiddenInput()
        self.order_fields(self.field_order)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写理由。")},
    )


class ConfirmForm(forms.Form):
    """Actions that need only a click (submit, approve, republish, discard)."""
