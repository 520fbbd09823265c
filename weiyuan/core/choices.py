"""Closed vocabularies shared by several apps (names from ../shared/GLOSSARY.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IPType(models.TextChoices):
    INVENTION = "invention", _("发明专利")
    UTILITY_MODEL = "utility_model", _("实用新型")
    DESIGN = "design", _("外观设计")
    TRADEMARK = "trademark", _("商标")
    GI = "gi", _("地理标志")
    IC_LAYOUT = "ic_layout", _("集成电路布图设计")
    COPYRIGHT = "copyright", _("著作权")
    TRADE_SECRET = "trade_secret", _("商业秘密")
    OTHER = "other", _("其他")


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申请")
    HOTLINE = "hotline", _("12330 热线")
    WALK_IN = "walk_in", _("现场来访")
    EXHIBITION = "exhibition", _("展会工作站")
    ECOMMERCE = "ecommerce", _("电商平台")
    REFERRAL = "referral", _("合作单位移交")


class Role(models.TextChoices):
    INTAKE_OFFICER = "intake_officer", _("受理员")
    HANDLER = "handler", _("承办人")
    DIRECTOR = "director", _("负责人")
    EXPERT = "expert", _("专家")
    PARTNER = "partner", _("合作单位")
    VOLUNTEER = "volunteer", _("志愿者")
    SUPERVISOR = "supervisor", _("监督")
    EDITOR = "editor", _("知识库编辑")


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANISATION = "organisation", _("法人或其他组织")
    AGENT = "agent", _("代理人")


class PriorityGroup(models.TextChoices):
    NONE = "", _("无")
    SME = "sme", _("中小微企业")
    PRIVATE_FIRM = "private_firm", _("民营企业")
    INDIVIDUAL_BUSINESS = "individual_business", _("个体工商户")
    GOING_ABROAD = "going_abroad", _("走出去企业")
