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


class Industry(models.TextChoices):
    """The 20 sections 门类 of the national economy industry classification GB/T 4754-2017 (国民经济行业分类), stored
    by their letter code; the labels are the standard's section names. Used on exhibitors at a fair (the report after
    the fair counts complaints by it) and meant for cases too."""

    AGRICULTURE = "A", _("农、林、牧、渔业")
    MINING = "B", _("采矿业")
    MANUFACTURING = "C", _("制造业")
    UTILITIES = "D", _("电力、热力、燃气及水生产和供应业")
    CONSTRUCTION = "E", _("建筑业")
    WHOLESALE_RETAIL = "F", _("批发和零售业")
    TRANSPORT = "G", _("交通运输、仓储和邮政业")
    ACCOMMODATION_CATERING = "H", _("住宿和餐饮业")
    INFORMATION_TECHNOLOGY = "I", _("信息传输、软件和信息技术服务业")
    FINANCE = "J", _("金融业")
    REAL_ESTATE = "K", _("房地产业")
    LEASING_BUSINESS = "L", _("租赁和商务服务业")
    RESEARCH_TECHNICAL = "M", _("科学研究和技术服务业")
    WATER_ENVIRONMENT = "N", _("水利、环境和公共设施管理业")
    RESIDENT_SERVICES = "O", _("居民服务、修理和其他服务业")
    EDUCATION = "P", _("教育")
    HEALTH_SOCIAL_WORK = "Q", _("卫生和社会工作")
    CULTURE_SPORTS = "R", _("文化、体育和娱乐业")
    PUBLIC_ADMINISTRATION = "S", _("公共管理、社会保障和社会组织")
    INTERNATIONAL = "T", _("国际组织")
