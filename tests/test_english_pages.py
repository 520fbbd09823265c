"""Pages in English: no full-width "：" or brackets left around translated labels, dates and deadlines (they belong
inside the Chinese strings only), and knowledge tags by their English names. Chinese pages keep their punctuation.

The English catalogue must be compiled (`make translations`) for these pages to be in English, as for
tests/test_translations.py."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from tests.access_rows.consultations import taken_at_shanghai
from tests.api_support import api_client
from tests.factories import ApplicantFactory, law_from_text, make_case
from tests.knowledge_support import ECOMMERCE_TEXT, article, ecommerce_law, published_item, tag
from weiyuan.cases import services as cases
from weiyuan.cases.services import RightInput
from weiyuan.cases.templatetags.case_tags import remaining
from weiyuan.clocks.models import Clock
from weiyuan.consultations import services as consultations
from weiyuan.consultations.models import Consultation
from weiyuan.core import punctuation
from weiyuan.core.choices import IPType
from weiyuan.knowledge.forms import ItemForm
from weiyuan.knowledge.models import ItemType, Tag

pytestmark = pytest.mark.django_db

FULL_WIDTH = re.compile(r"[：（）]")
# The test data avoids these marks in what users write, so whatever is left on a page comes from the UI. Case
# titles are data (a consultation's is the start of its question) and are set aside as user content.
ANSWER = "请在声明到达后十五日内向主管部门投诉或者向人民法院起诉，并告知平台。"


def visible(response: Any) -> str:
    """The text a reader sees: scripts, styles and tags removed (attributes such as placeholders are not text)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def full_width_marks(response: Any, *, user_content: tuple[str, ...] = ()) -> list[str]:
    """Each full-width colon or bracket on the page outside `user_content`, with some text around it."""
    assert response.status_code == 200, response.status_code
    text = " ".join(visible(response).split())
    for data in user_content:
        text = text.replace(data, " ")
    return [text[max(m.start() - 30, 0) : m.end() + 30] for m in FULL_WIDTH.finditer(text)]


def reader(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def world(network: dict[str, Any]) -> dict[str, Any]:
    """A law in two versions, a guide with tags, a Q&A, an answered and an open consultation, cases in handling,
    waiting for information (with a duplicate) and concluded."""
    sh, handler, director = network["shanghai"], network["sh_handler"], network["sh_director"]
    law = ecommerce_law()
    art43 = article(law, 43)
    guide = published_item(
        sh, handler, director, tags=[tag("trademark"), tag("ecommerce_notice")], articles=[article(law, 42)]
    )
    qa = published_item(
        sh,
        handler,
        director,
        item_type=ItemType.QA,
        title="网店被投诉后怎么办",
        question="网店收到平台转送的投诉后提交了不侵权声明，权利人怎么办？",
        answer=ANSWER,
    )
    applicant = ApplicantFactory()
    answered = taken_at_shanghai(network, applicant)
    consultations.answer_send(
        consultation=Consultation.objects.select_related("case").get(pk=answered.pk),
        actor=handler,
        body=ANSWER,
        article_ids=[art43.pk],
        item_ids=[qa.pk],
    )
    # A second version of the law makes the cited article 43 a historical version ("2018-08-31 · 历史版本").
    law_from_text(ECOMMERCE_TEXT.replace("十五日", "二十日", 1), name="电子商务法(2030-01-01).md")
    open_consultation = taken_at_shanghai(network, applicant)

    in_handling = cases.case_accept(case=make_case(sh, applicant), actor=network["sh_intake"])
    in_handling = cases.case_assign(case=in_handling, actor=director, handler=handler)
    same_right = {
        "applicant_name": "上海甲乙科技有限公司",
        "respondent_name": "某某商贸有限公司",
        "rights": [RightInput(ip_type=IPType.TRADEMARK, number="8800001")],
    }
    make_case(sh, applicant, **same_right)
    waiting = make_case(sh, applicant, **same_right)
    waiting = cases.case_request_info(case=waiting, actor=network["sh_intake"], request_text="请补充商标注册证。")
    concluded = cases.case_accept(case=make_case(sh, applicant), actor=network["sh_intake"])
    concluded = cases.case_assign(case=concluded, actor=director, handler=handler)
    concluded = cases.case_start(case=concluded, actor=handler)
    concluded = cases.case_conclude(
        case=concluded, actor=handler, outcome="opinion_issued", result_letter="经比对，参考意见书已出具。"
    )
    titles = tuple(c.title for c in (answered.case, open_consultation.case))
    return {
        **network,
        "law": law,
        "guide": guide,
        "applicant": applicant,
        "answered": answered,
        "open": open_consultation,
        "in_handling": in_handling,
        "waiting": waiting,
        "concluded": concluded,
        "titles": titles,
    }


def test_consultation_pages_have_no_full_width_marks_in_english(world: dict[str, Any]) -> None:
    answered, open_number = world["answered"].case.tracking_number, world["open"].case.tracking_number
    applicant, handler = reader(world["applicant"]), reader(world["sh_handler"])
    pages = {
        "applicant, answered, with citations": applicant.get(reverse("consultations:detail", args=[answered])),
        "applicant, waiting for the answer": applicant.get(reverse("consultations:detail", args=[open_number])),
        "applicant's list": applicant.get(reverse("consultations:mine")),
        "staff, open": handler.get(reverse("consultations:detail", args=[open_number])),
        "answer editor": handler.get(reverse("consultations:answer", args=[open_number])),
        "queue": handler.get(reverse("consultations:queue")),
        "excellent Q&A": reader(world["sh_director"]).get(reverse("consultations:featured", args=[answered])),
    }
    for name, page in pages.items():
        assert full_width_marks(page, user_content=world["titles"]) == [], name

    # What the marks were around: the deadline's days left, the cited article's version, the Q&A label.
    detail = " ".join(visible(pages["staff, open"]).split())
    with translation.override("en"):
        due = timezone.localtime(Clock.objects.get(case=world["open"].case, rule="handling", state="running").due_at)
        left = remaining(due)
    assert f"{due:%Y-%m-%d} ({left})" in detail
    cited = " ".join(visible(pages["applicant, answered, with citations"]).split())
    assert "电子商务法 第四十三条 (2018-08-31 · " in cited


def test_the_same_pages_keep_chinese_punctuation_in_chinese(world: dict[str, Any]) -> None:
    open_number = world["open"].case.tracking_number
    page = reader(world["sh_handler"], "zh-hans").get(reverse("consultations:answer", args=[open_number]))
    due = timezone.localtime(Clock.objects.get(case=world["open"].case, rule="handling", state="running").due_at)
    with translation.override("zh-hans"):
        left = remaining(due)
    assert f"{due:%Y-%m-%d %H:%M}（{left}）" in " ".join(visible(page).split())
    answered = world["answered"].case.tracking_number
    cited = " ".join(
        visible(reader(world["applicant"], "zh-hans").get(reverse("consultations:detail", args=[answered]))).split()
    )
    assert "（2018-08-31 · 历史版本）" in cited and "问答：" in cited


def test_case_pages_have_no_full_width_marks_in_english(world: dict[str, Any]) -> None:
    applicant, handler, intake = reader(world["applicant"]), reader(world["sh_handler"]), reader(world["sh_intake"])
    numbers = {key: world[key].tracking_number for key in ("in_handling", "waiting", "concluded")}
    pages = {
        "staff, in handling": handler.get(reverse("cases:detail", args=[numbers["in_handling"]])),
        "intake, waiting for information, a duplicate": intake.get(reverse("cases:detail", args=[numbers["waiting"]])),
        "applicant, waiting for information": applicant.get(reverse("cases:detail", args=[numbers["waiting"]])),
        "applicant, concluded": applicant.get(reverse("cases:detail", args=[numbers["concluded"]])),
        "applicant's list": applicant.get(reverse("cases:my_cases")),
        "workbench": handler.get(reverse("cases:workbench")),
    }
    for name, page in pages.items():
        assert full_width_marks(page, user_content=world["titles"]) == [], name
    duplicate = " ".join(visible(pages["intake, waiting for information, a duplicate"]).split())
    assert re.search(r"WY-\d{4}-\d{5}-\d{6} \(上海市知识产权维权援助中心\)", duplicate), "duplicate check"
    assert re.search(r"Paused, \d+ working days left", duplicate), "paused acceptance clock"


def test_the_result_letter_dates_follow_the_language(world: dict[str, Any]) -> None:
    number = world["concluded"].tracking_number
    concluded_on = timezone.localdate(world["concluded"].concluded_at)
    for language in ("en", "zh-hans"):
        page = " ".join(
            visible(reader(world["applicant"], language).get(reverse("cases:letter", args=[number]))).split()
        )
        with translation.override(language):
            assert formats.date_format(concluded_on, "DATE_FORMAT") in page
    assert f"{concluded_on.year}年" in page  # Chinese: "2026年11月26日"


def test_knowledge_and_search_pages_have_no_full_width_marks_in_english(world: dict[str, Any]) -> None:
    handler, guide, law = reader(world["sh_handler"]), world["guide"], world["law"]
    pages = {
        "item with tags": handler.get(reverse("knowledge:item", args=[guide.pk])),
        "home filtered by a tag": handler.get(reverse("knowledge:home"), {"tag": "ecommerce_notice"}),
        "item editor": handler.get(reverse("knowledge:item_edit", args=[guide.pk])),
        "staff list": handler.get(reverse("knowledge:manage")),
        "law with two versions": handler.get(reverse("knowledge:law", args=[law.key])),
        "search results": handler.get(reverse("search:search"), {"q": "平台 投诉"}),
        "search with a bad date": handler.get(reverse("search:search"), {"q": "投诉", "date_from": "2020-13-45"}),
        "centre": handler.get(reverse("network:centre", args=["sh"])),
        "directory": handler.get(reverse("network:directory")),
        "deadline calculator": handler.get(
            reverse("clocks:calculator"), {"rule": "acceptance", "start": "2025-09-28 10:00", "amount": "10"}
        ),
    }
    for name, page in pages.items():
        assert full_width_marks(page) == [], name
    assert "v1 (2018-08-31)" in " ".join(visible(pages["law with two versions"]).split())
    assert "10-01 National Day, 10-02" in " ".join(visible(pages["deadline calculator"]).split())


def test_tags_show_their_english_names_in_english(world: dict[str, Any]) -> None:
    guide = world["guide"]
    english, chinese = reader(world["sh_handler"]), reader(world["sh_handler"], "zh-hans")
    for url in (
        reverse("knowledge:item", args=[guide.pk]),
        reverse("knowledge:home") + "?tag=ecommerce_notice",
        reverse("knowledge:item_edit", args=[guide.pk]),
    ):
        page = visible(english.get(url))
        assert "E-commerce platform complaints" in page and "电商平台投诉" not in page, url
        page = visible(chinese.get(url))
        assert "电商平台投诉" in page and "E-commerce platform complaints" not in page, url
    # The API gives both names, whatever the language.
    tags = api_client(world["zj_intake"]).get("/api/v1/kb/items").json()["items"]
    names = {(t["code"], t["name"], t["name_en"]) for item in tags for t in item["tags"]}
    assert ("ecommerce_notice", "电商平台投诉", "E-commerce platform complaints") in names


def test_a_tag_without_an_english_name_falls_back_to_its_chinese_name() -> None:
    tagged, bare = Tag.objects.get(code="trademark"), Tag(kind="topic", code="x", name="新主题")
    with translation.override("en"):
        assert (tagged.display_name, str(tagged), bare.display_name) == ("Trademark", "Trademark", "新主题")
        labels = dict(ItemForm(item_type=ItemType.GUIDE).fields["ip_types"].choices)
        assert labels[tagged.pk] == "Trademark"
    with translation.override("zh-hans"):
        assert (tagged.display_name, str(tagged)) == ("商标", "商标")


def test_punctuation_helpers_follow_the_language() -> None:
    template = Template(
        "{% load punctuation %}{{ label }}{% colon %}{{ value }}{{ note|parens }}{{ empty|parens }}"
        "|{{ items|join_list }}|{% parens %}<b>{{ value }}</b>{% endparens %}{% list_comma %}{% comma %}{% full_stop %}"
    )
    context = {"label": "标签", "value": "<x>", "note": "a&b", "empty": "", "items": ["专利", "<商标>"]}
    with translation.override("zh-hans"):
        assert template.render(Context(context)) == (
            "标签：&lt;x&gt;（a&amp;b）|专利、&lt;商标&gt;|（<b>&lt;x&gt;</b>）、，。"
        )
        assert punctuation.labelled("期限", "3 天") == "期限：3 天"
        assert punctuation.join_clauses(["甲", "乙"]) == "甲；乙"
    with translation.override("en"):
        assert template.render(Context(context)) == (
            "标签: &lt;x&gt; (a&amp;b)|专利, &lt;商标&gt;| (<b>&lt;x&gt;</b>), , . "
        )
        assert punctuation.labelled("Due", "3 days") == "Due: 3 days"
        assert punctuation.parenthesised("sh") == " (sh)"
        assert punctuation.join_clauses(["a", "b"]) == "a; b"


def test_consultation_form_help_texts_are_translated_when_shown(network: dict[str, Any]) -> None:
    """Help texts with a number in them are formatted when the page is shown, not once at import in Chinese."""
    applicant = reader(ApplicantFactory(region_id="310115"))
    route = {"service_type": "infringement_opinion", "ip_type": "trademark", "region": "310115", "centre": "sh"}
    for page in (applicant.get(reverse("consultations:ask")), applicant.get(reverse("cases:intake_form"), route)):
        assert page.status_code == 200
        text = visible(page)
        assert "20 MB" in text and "单个文件不超过" not in text
