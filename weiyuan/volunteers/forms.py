from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weiyuan.core.choices import IPType
from weiyuan.experts.models import ExpertField, Language
from weiyuan.network.models import Centre, FilingStatus
from weiyuan.volunteers.models import ActivityKind, OrganisationKind, QualificationKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ApplicationForm(forms.Form):
    centre = forms.ModelChoiceField(
        label=_("申请服务的机构"),
        queryset=Centre.objects.filter(filing_status=FilingStatus.APPROVED).order_by("path"),
        to_field_name="code",
    )
    organisation_kind = forms.ChoiceField(
        label=_("所在组织类型"), choices=OrganisationKind.choices, widget=forms.RadioSelect
    )
    organisation_name = forms.CharField(
        label=_("所在组织名称"),
        max_length=160,
        help_text=_("例如：某某大学法学院知识产权法律诊所、某市专利代理师协会。"),
    )
    member_number = forms.CharField(label=_("学号或会员号"), max_length=40, required=False)
    expertise = forms.ModelMultipleChoiceField(
        label=_("专业领域"),
        queryset=ExpertField.objects.order_by("kind", "position", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ip_types = forms.MultipleChoiceField(
        label=_("熟悉的知识产权类型"), choices=IPType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("工作语言"), choices=Language.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    availability = forms.CharField(
        label=_("可服务时间"), max_length=300, help_text=_("例如：每周二、周四下午；寒暑假可全天。")
    )
    motivation = forms.CharField(
        label=_("个人简介"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    # Checked by the service, which names the field when it is not ticked.
    undertaking = forms.BooleanField(label=_("我已阅读并同意上述保密承诺"), required=False)


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class HoursForm(forms.Form):
    worked_on = forms.DateField(label=_("服务日期"), widget=DATE)
    hours = forms.CharField(label=_("时长（小时）"), max_length=10)
    activity = forms.ChoiceField(label=_("服务类型"), choices=ActivityKind.choices)
    case = forms.ChoiceField(label=_("关联案件"), required=False, help_text=_("只能选择您承担志愿者任务的案件。"))
    description = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, cases: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any value is passed on: the service decides (and names the field) whether the case may be linked.
        field = self.fields["case"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *(cases or [])]
        field.validate = lambda value: None  # type: ignore[method-assign]


class QualificationForm(forms.Form):
    user = forms.ChoiceField(label=_("工作人员"))
    kind = forms.ChoiceField(label=_("资质类型"), choices=QualificationKind.choices)
    number = forms.CharField(label=_("证书编号"), max_length=60, required=False)
    issuer = forms.CharField(label=_("发证机关"), max_length=160, required=False)
    valid_until = forms.DateField(label=_("有效期至"), required=False, widget=DATE, help_text=_("长期有效的不填。"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    certificate = forms.FileField(label=_("证书扫描件"), required=False, help_text=_("PDF 或图片。"))

    def __init__(self, *args: Any, people: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *((str(u.pk), str(u)) for u in people or [])]
