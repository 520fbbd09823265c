"""Redaction proposals for excellent Q&A 优秀问答: find what could identify the people and firms of a consultation.

`find_sensitive(text, names=...)` returns the spans a person should remove: the names of the case's applicant,
respondent and agent (given by the caller), phone numbers, resident ID numbers, e-mail addresses, unified social
credit codes, courier and order numbers, case tracking numbers, patent and trademark numbers, URLs, QQ / WeChat
accounts, and names of firms ending in 公司, 厂 or 店. It proposes; a person confirms or edits (`redact` applies the
proposals, `highlight` shows them). It errs on the side of removing too much: a wrongly removed word costs the
reader little, a name left in costs the applicant their privacy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    kind: str
    text: str

    @property
    def label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def replacement(self) -> str:
        if self.kind == "company":
            return "某" + _company_suffix(self.text)
        return str(REPLACEMENTS.get(self.kind, "【已删除】"))


KIND_LABELS: dict[str, Promise] = {
    "name": _("当事人名称"),
    "company": _("企业或店铺名称"),
    "phone": _("电话号码"),
    "id_number": _("身份证号码"),
    "email": _("电子邮箱"),
    "credit_code": _("统一社会信用代码"),
    "tracking": _("单号或案件编号"),
    "right_number": _("专利号或商标注册号"),
    "url": _("网址"),
    "contact": _("即时通讯账号"),
}

REPLACEMENTS: dict[str, Promise] = {
    "name": _("【当事人】"),
    "phone": _("【电话】"),
    "id_number": _("【身份证号】"),
    "email": _("【邮箱】"),
    "credit_code": _("【信用代码】"),
    "tracking": _("【单号】"),
    "right_number": _("【权利号】"),
    "url": _("【网址】"),
    "contact": _("【账号】"),
}

# When two proposals overlap, a name from the case wins, then the longer one, then the earlier kind in this list.
PRIORITY = (
    "name",
    "email",
    "url",
    "id_number",
    "credit_code",
    "tracking",
    "right_number",
    "contact",
    "phone",
    "company",
)

_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"

# (kind, pattern); a pattern with a group named "v" proposes only that group (the label before it stays).
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")),
    (
        "url",
        re.compile(
            r"(?:https?://|www\.)[^\s\u3000，。；;、！？）)」』\"'<>]+"
            r"|(?<![@\w.])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|cn|net|org|gov|edu|hk|tw|io|shop|top|xyz|vip)"
            r"(?:\.cn)?(?:/[^\s\u3000，。；;、！？）)」』\"'<>]*)?(?![\w.])",
            re.IGNORECASE,
        ),
    ),
    # GB 11643: 6-digit region, birth date, 3-digit sequence, check digit (which is not verified: a mistyped number
    # identifies a person just as well).
    (
        "id_number",
        re.compile(
            _NOT_ALNUM_BEFORE
            + r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
            + _NOT_ALNUM_AFTER
        ),
    ),
    # GB 32100: 18 characters of 0-9 and capitals without I, O, S, V, Z.
    (
        "credit_code",
        re.compile(_NOT_ALNUM_BEFORE + r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}" + _NOT_ALNUM_AFTER),
    ),
    ("tracking", re.compile(r"WY-\d{4}-\d{5}-\d{6}")),
    (
        "tracking",
        re.compile(
            _NOT_ALNUM_BEFORE
            + r"(?:SF|YT|YTO|ZTO|STO|JT|JD[A-Z]{0,3}|YD|EMS|DPK|DBL|KYE|E[A-Z])\d{9,16}"
            + _NOT_ALNUM_AFTER
        ),
    ),
    (
        "tracking",
        re.compile(
            r"(?:快递单号|运单号|物流单号|订单编号|订单号|单号|交易号|流水号)\s*(?:是|为)?\s*[:：]?\s*"
            r"(?P<v>[A-Za-z0-9][A-Za-z0-9-]{5,39})"
        ),
    ),
    # Order numbers and other long digit runs (a Taobao order number has 18-19 digits).
    ("tracking", re.compile(r"(?<![\d.])\d{12,24}(?![\d.])")),
    # Patents: 2003-: 12 digits + check (202310123456.7); before: 8 digits + check; often written with ZL / CN.
    (
        "right_number",
        re.compile(
            r"(?:ZL|CN)?\s?(?:(?:19|20)\d{2}[123589]\d{7}|\d{8})\s?\.\s?[\dXx]" + _NOT_ALNUM_AFTER, re.IGNORECASE
        ),
    ),
    ("right_number", re.compile(r"第\s*(?P<v>\d{6,9})\s*号")),
    (
        "right_number",
        re.compile(r"(?:注册号|商标号|申请号|专利号)\s*(?:是|为)?\s*[:：]?\s*(?P<v>[A-Za-z]{0,2}\d[\d.]{5,15})"),
    ),
    (
        "contact",
        re.compile(r"(?:QQ|qq|Qq)\s*(?:号码|号)?\s*(?:是|为)?\s*[:：]?\s*(?P<v>[1-9]\d{4,11})(?!\d)"),
    ),
    (
        "contact",
        re.compile(
            r"(?:微信|vx|VX|Vx|wx|WX|微信号)\s*(?:号)?\s*(?:是|为)?\s*[:：]?\s*(?P<v>[A-Za-z][-_A-Za-z0-9]{5,19})"
        ),
    ),
    (
        "phone",
        re.compile(r"(?<!\d)(?:(?:\+|00)?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)"),
    ),
    ("phone", re.compile(r"(?<![\d-])(?:\(0\d{2,3}\)|0\d{2,3})[-\s]?\d{7,8}(?:-\d{1,5})?(?!\d)")),
    ("phone", re.compile(r"(?<!\d)[48]00[-\s]?\d{3}[-\s]?\d{4}(?!\d)")),
)

# --- firm names ending in 公司 / 厂 / 店 ------------------------------------------------------------------------

_SUFFIX_RE = re.compile(r"有限责任公司|股份有限公司|有限公司|公司|厂|店")
_NAME_CHAR_RE = re.compile(r"[\u3400-\u9fffA-Za-z0-9（）()·&]")
MAX_FIRM_NAME = 30
# Words that end the text before a firm's name ("我公司发现杭州某电子商务有限公司…" -> after 发现). Single characters
# that also occur inside names (和, 中, 为 ...) are left out on purpose: cutting there would leave part of a name.
_BEFORE_NAME = tuple(
    "申请人 请求人 权利人 代理人 委托人 原告 被告 商家 卖家 厂家 对方 本人 "
    "发现 起诉 投诉 举报 认为 委托 代理 购买 购得 销售 收到 告知 通知 联系 请问 还有 包括 比如 例如 名为 "
    "名叫 叫做 叫 如果 以及 或者 还是 就是 其中 一家 这家 那家 哪家 "
    "该 被 向 与 跟 对 把 给 从 的 了 是 在 及 或 等 即".split()
)
# What stands before a suffix without naming anyone: 我公司, 贵公司, 子公司, 网店, 旗舰店, 工厂 ...
_GENERIC_FIRM_WORDS = frozenset(
    "我 我们 我方 我司 本 贵 其 对方 他们 她们 他 她 它 子 分 母 总 控股 "
    "关联 空壳 皮包 一 两 多 各 某 某某 网 网上 实体 门 商 书 饭 酒 药 "
    "工 加工 代工 生产 旗舰 专卖 专营 直营 加盟 品牌 电商 网络 线上 线下 平台 "
    "淘宝 天猫 京东 拼多多 抖音 快手 小红书 微店 外资 国有 民营 私营 上市 科技 "
    "贸易 物流 快递 保险 律师 代理 咨询 事务所 同一 另一 这 那 哪 同类 涉案 "
    "涉事 侵权 被告 原告 上述 前述".split()
)


def _company_suffix(text: str) -> str:
    for suffix in ("公司", "厂", "店"):
        if text.endswith(suffix):
            return suffix
    return "公司"


def _firm_names(text: str) -> Iterable[tuple[int, int]]:
    for match in _SUFFIX_RE.finditer(text):
        start = match.start()
        while start > 0 and match.start() - start < MAX_FIRM_NAME and _NAME_CHAR_RE.match(text[start - 1]):
            start -= 1
        core = text[start : match.start()]
        # Cut after the last word that stands before a name.
        cut = 0
        for word in _BEFORE_NAME:
            position = core.rfind(word)
            if position != -1 and position + len(word) > cut:
                cut = position + len(word)
        # A name does not run across another firm's 公司 ("我公司（上海某某有限公司）"), nor begin inside brackets it
        # does not close.
        previous_firm = core.rfind("公司")
        if previous_firm != -1 and previous_firm + 2 >= cut:
            cut = previous_firm + 2
            # "甲公司和乙公司": the conjunction after the first firm is not part of the second one's name.
            if core[cut : cut + 1] in ("和", "与", "及", "、", "或", "同", "跟"):
                cut += 1
        for opening, closing in (("（", "）"), ("(", ")")):
            position = core.rfind(opening)
            if position >= cut and closing not in core[position:]:
                cut = position + 1
        core = core[cut:]
        start += cut
        if len(core) < 2 or core in _GENERIC_FIRM_WORDS or "某" in core or core.endswith(("家", "个", "类")):
            continue
        yield start, match.end()


# --- the detector ---------------------------------------------------------------------------------------------


def _name_spans(text: str, names: Iterable[str]) -> Iterable[tuple[int, int]]:
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        start = text.find(name)
        while start != -1:
            yield start, start + len(name)
            start = text.find(name, start + len(name))


def find_sensitive(text: str, *, names: Sequence[str] = ()) -> list[Finding]:
    """Every proposed removal in `text`, in order, none overlapping."""
    candidates: list[Finding] = []
    for start, end in _name_spans(text, names):
        candidates.append(Finding(start, end, "name", text[start:end]))
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span("v") if "v" in pattern.groupindex else match.span()
            value = text[start:end].strip()
            if value:
                start += len(text[start:end]) - len(text[start:end].lstrip())
                candidates.append(Finding(start, start + len(value), kind, value))
    for start, end in _firm_names(text):
        candidates.append(Finding(start, end, "company", text[start:end]))
    chosen: list[Finding] = []
    # The case's own names first (they are certain), then the longest span.
    ranked = sorted(candidates, key=lambda f: (f.kind != "name", -(f.end - f.start), PRIORITY.index(f.kind), f.start))
    for finding in ranked:
        if all(finding.end <= c.start or finding.start >= c.end for c in chosen):
            chosen.append(finding)
    return sorted(chosen, key=lambda f: f.start)


def redact(text: str, findings: Sequence[Finding]) -> str:
    """The text with each finding replaced by its placeholder (【电话】, 某公司 ...)."""
    out: list[str] = []
    cursor = 0
    for finding in sorted(findings, key=lambda f: f.start):
        out.append(text[cursor : finding.start])
        out.append(finding.replacement)
        cursor = finding.end
    out.append(text[cursor:])
    return "".join(out)


def highlight(text: str, findings: Sequence[Finding]) -> SafeString:
    """The text, escaped, with each finding marked (and its kind in the title) for the person confirming."""
    out: list[str] = []
    cursor = 0
    for finding in sorted(findings, key=lambda f: f.start):
        out.append(escape(text[cursor : finding.start]))
        out.append(
            f'<mark class="redact redact-{escape(finding.kind)}" title="{escape(finding.label)}">'
            f"{escape(finding.text)}</mark>"
        )
        cursor = finding.end
    out.append(escape(text[cursor:]))
    return mark_safe("".join(out))  # every piece of the text is escaped above
