"""Forms of expert invitations: inviting (task and response time), the undertaking, declining or withdrawing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from weiyuan.experts.invitations import MAX_RESPONSE_DAYS, REASON_MAX, TASK_MAX, default_response_days


class InviteForm(forms.Form):
    task = forms.CharField(
        label=_("任务说明"),
        max_length=TASK_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明请专家完成的工作和交付的内容，专家在答复前可以看到。"),
    )
    response_days = forms.IntegerField(
        label=_("答复期限（工作日）"),
        min_value=1,
        max_value=MAX_RESPONSE_DAYS,
        help_text=_("按法定工作日计算，自发出邀请的次日起算；逾期未答复的邀请自动失效。"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["response_days"].initial = default_response_days()


class UndertakingForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    agree = forms.BooleanField(label=_("我已阅读并同意遵守以上保密承诺"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}))
