"""Forms of the consultation pages. They parse and check input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from weiyuan.cases.forms import STAFF_CHANNELS, MultipleFileField, textarea, validate_region_code
from weiyuan.consultations.models import (
    ANSWER_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    RATING_COMMENT_MAX_LENGTH,
    Topic,
)
from weiyuan.core.choices import ApplicantKind, Channel, IPType
from weiyuan.core.validators import validate_phone
from weiyuan.evidence.services import check_upload_count

QUESTION_HELP = _(
    "写清楚您遇到的情况和想了解的问题，例如：“网店卖的商品用了我们的注册商标，平台投诉后对方提交了声明，接下来怎么办？”"
)


class AskForm(forms.Form):
    ip_type = forms.ChoiceField(
        label=_("知识产权类型"),
        choices=[("", _("请选择")), *IPType.choices],
        error_messages={"required": _("请选择知识产权类型。"), "invalid_choice": _("请选择列表中的知识产权类型。")},
    )
    topic = forms.ChoiceField(
        label=_("咨询主题"),
        choices=Topic.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择咨询主题。"), "invalid_choice": _("请选择列表中的咨询主题。")},
    )
    region = forms.CharField(
        label=_("所在地区（行政区划代码）"),
        max_length=6,
        validators=[validate_region_code],
        help_text=_("6 位代码，例如 310115（上海市浦东新区）；据此推荐就近的援助机构。"),
        error_messages={"required": _("请填写所在地区的 6 位行政区划代码。")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "list": "region-options"}),
    )
    centre = forms.CharField(
        label=_("援助机构"),
        max_length=40,
        error_messages={"required": _("请选择为您解答的援助机构。")},
    )
    question = forms.CharField(
        label=_("您的问题"),
        widget=textarea(8),
        help_text=QUESTION_HELP,
        error_messages={"required": _("请填写您的问题。")},
    )
    attachments = MultipleFileField(
        label=_("附件（可选）"),
        required=False,
        # Formatted when shown, not at import (that would fix the text in the default language).
        help_text=lazy(
            lambda: (
                _("如有合同、证书、截图等材料可一并上传，可多选；单个文件不超过 %(mb)s MB。")
                % {"mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}
            ),
            str,
        )(),
    )
    # Staff recording a caller's or visitor's question.
    channel = forms.ChoiceField(label=_("咨询渠道"), choices=STAFF_CHANNELS, initial=Channel.HOTLINE)
    applicant_name = forms.CharField(label=_("咨询人姓名或名称"), max_length=160)
    applicant_kind = forms.ChoiceField(label=_("咨询人类型"), choices=ApplicantKind.choices)
    applicant_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False, validators=[validate_phone])
    applicant_email = forms.EmailField(label=_("电子邮箱"), required=False)

    def __init__(self, *args: Any, staff_mode: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff_mode = staff_mode
        if not staff_mode:
            for name in ("channel", "applicant_name", "applicant_kind", "applicant_phone", "applicant_email"):
                del self.fields[name]

    def clean_question(self) -> str:
        value = str(self.cleaned_data["question"]).strip()
        if len(value) > QUESTION_MAX_LENGTH:
            raise ValidationError(
                _("问题过长：最多 %(limit)s 个字，当前 %(n)s 个字。请只写要点，材料可作为附件上传。"),
                params={"limit": QUESTION_MAX_LENGTH, "n": len(value)},
            )
        return value

    def clean_attachments(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["attachments"]
        check_upload_count(len(files), field="attachments")
        return files


class IdListField(forms.Field):
    """Several values of one name (checkboxes) as a list of row ids."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        ids: list[int] = []
        for raw in values:
            text = str(raw).strip()
            if not text.isdigit() or len(text) > 18:
                raise ValidationError(_("引用的编号「%(value)s」无效，请重新选择。"), params={"value": text[:20]})
            ids.append(int(text))
        return list(dict.fromkeys(ids))


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("答复"),
        required=False,
        max_length=ANSWER_MAX_LENGTH,
        widget=textarea(14),
        help_text=_("写明结论、依据和下一步建议；引用的条文会连同全文一并显示给申请人。"),
    )
    cite_article = IdListField(required=False)
    cite_item = IdListField(required=False)
    intent = forms.ChoiceField(
        choices=[("save", "save"), ("submit", "submit"), ("send", "send")], initial="save", required=False
    )

    def clean_intent(self) -> str:
        return str(self.cleaned_data.get("intent") or "save")


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回理由"),
        max_length=2000,
        widget=textarea(3),
        error_messages={"required": _("请写明退回的理由和修改要求。")},
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("评分"),
        choices=[(str(n), str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("5 分为非常满意，1 分为非常不满意。"),
        error_messages={"required": _("请选择 1 到 5 分。"), "invalid_choice": _("评分应为 1 到 5 分。")},
    )
    comment = forms.CharField(
        label=_("评价意见（可选）"), required=False, max_length=RATING_COMMENT_MAX_LENGTH, widget=textarea(3)
    )


class FollowUpForm(forms.Form):
    question = forms.CharField(
        label=_("追问"),
        widget=textarea(4),
        help_text=_("每次咨询可追问一次，承办人将在答复期限内回复。"),
        error_messages={"required": _("请填写追问的内容。")},
    )


class NominateForm(forms.Form):
    reason = forms.CharField(label=_("推荐理由（可选）"), required=False, max_length=2000, widget=textarea(3))


class RedactForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    question = forms.CharField(label=_("问题（脱敏后）"), widget=textarea(8))
    answer = forms.CharField(label=_("解答（脱敏后）"), widget=textarea(12))
    topic_tags = forms.MultipleChoiceField(
        label=_("主题标签"), required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    confirm_remaining = forms.BooleanField(
        label=_("确认无需删除：上面标出的其余内容不涉及个人或企业信息"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from weiyuan.knowledge.models import Tag, TagKind

        field = self.fields["topic_tags"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(t.code, t.display_name) for t in Tag.objects.filter(kind=TagKind.TOPIC).order_by("position")]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("批准发布")), ("reject", _("不予采用"))],
        error_messages={"required": _("请选择批准或不予采用。")},
    )
    reason = forms.CharField(label=_("不予采用的理由"), required=False, max_length=2000, widget=textarea(3))
