"""Laws split per article: the importer on the real texts, versions, bad files, and the public pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from weiyuan.knowledge.models import Article, Law, LawVersion
from weiyuan.knowledge.parsing import LawFormatError, chinese_number, parse_law
from weiyuan.knowledge.services import laws_import

LAWS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "laws"
ECOMMERCE = "电子商务法(2018-08-31).md"

pytestmark = pytest.mark.skipif(not LAWS.is_dir(), reason="../shared/data/laws is not beside the project")


def test_chinese_numerals() -> None:
    assert [chinese_number(t) for t in ("一", "十", "十二", "四十三", "一百零二", "二百")] == [1, 10, 12, 43, 102, 200]


def test_the_e_commerce_law_parses_into_its_articles() -> None:
    law = parse_law(LAWS / ECOMMERCE)
    assert law.key == "电子商务法" and law.title == "中华人民共和国电子商务法"
    assert law.version_label == "2018-08-31" and "2018年8月31日" in law.dates
    numbers = [a.number for a in law.articles]
    assert numbers == list(range(1, 90))
    art43 = next(a for a in law.articles if a.number == 43)
    assert art43.number_text == "第四十三条"
    assert art43.chapter.startswith("第二章") and art43.section.startswith("第二节")
    assert "十五日" in art43.text


@pytest.mark.django_db
def test_import_is_idempotent_and_keeps_earlier_versions(tmp_path: Path) -> None:
    shutil.copy(LAWS / ECOMMERCE, tmp_path / ECOMMERCE)
    first = laws_import(directory=tmp_path)
    assert (first.laws_created, first.versions_created, first.articles_created) == (1, 1, 89)
    again = laws_import(directory=tmp_path)
    assert (again.versions_created, again.unchanged) == (0, 1)
    changed = (tmp_path / ECOMMERCE).read_text(encoding="utf-8").replace("十五日", "二十日", 1)
    (tmp_path / "电子商务法(2030-01-01).md").write_text(changed, encoding="utf-8")
    third = laws_import(directory=tmp_path)
    assert third.versions_created == 1
    law = Law.objects.get(key="电子商务法")
    assert list(law.versions.values_list("number", flat=True)) == [1, 2]
    assert law.current_version.effective_label == "2030-01-01"
    old, new = (Article.objects.get(version__law=law, version__number=n, number=43) for n in (1, 2))
    assert "十五日" in old.text and "二十日" in new.text


@pytest.mark.django_db
def test_every_shipped_law_imports_without_errors() -> None:
    report = laws_import(directory=LAWS)
    assert report.errors == []
    assert Law.objects.count() >= 45 and Article.objects.count() > 1000
    # Two texts of the IP tribunal rules are two versions of one law, the 2023 one current.
    tribunal = Law.objects.get(key="最高人民法院关于知识产权法庭若干问题的规定")
    assert tribunal.versions.count() == 2 and tribunal.current_version.effective_label == "2023-10-21"
    reply = Law.objects.get(key="最高人民法院关于涉网络知识产权侵权纠纷几个法律适用问题的批复")
    assert reply.current_version.articles.get().number_text == "全文"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("中华人民共和国某法\n", 1, "title"),
        ("# 某法\n\n2020年通过\n\n第一条 没有分隔行。\n", 5, "INFO END"),
        ("# 某法\n<!-- INFO END -->\n\n第二条 乙。\n\n第一条 甲。\n", 6, "out of order"),
        ("# 某法\n<!-- INFO END -->\n\n#### 第一章\n", 4, "chapters"),
    ],
)
def test_a_malformed_file_names_the_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "某法.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LawFormatError) as error:
        parse_law(path)
    assert error.value.line == line and message in str(error.value) and "某法.md" in str(error.value)


@pytest.mark.django_db
def test_the_command_imports_the_good_files_and_names_the_bad_one(tmp_path: Path, capsys) -> None:
    shutil.copy(LAWS / ECOMMERCE, tmp_path / ECOMMERCE)
    (tmp_path / "坏文件.md").write_text("没有标题\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 file"):
        call_command("kb_import_laws", str(tmp_path))
    assert "坏文件.md, line 1" in capsys.readouterr().err
    assert LawVersion.objects.count() == 1 and not Law.objects.filter(key__contains="坏").exists()
    with pytest.raises(CommandError, match="not a directory"):
        call_command("kb_import_laws", str(tmp_path / "missing"))


@pytest.mark.django_db
def test_article_pages_cite_and_link_references(client, tmp_path: Path) -> None:
    shutil.copy(LAWS / ECOMMERCE, tmp_path / ECOMMERCE)
    laws_import(directory=tmp_path)
    page = client.get("/kb/laws/电子商务法/第四十三条/").content.decode()
    assert "电子商务法 第四十三条" in page
    assert "十五日" in page
    art44 = client.get("/kb/laws/电子商务法/第四十四条/").content.decode()
    assert reverse("knowledge:article", args=["电子商务法", "第四十二条"]) in art44  # "依照本法第四十二条…"
    assert client.get("/kb/laws/电子商务法/第九十九条/").status_code == 404
    assert client.get("/kb/laws/不存在的法/").status_code == 404
    law_page = client.get("/kb/laws/电子商务法/").content.decode()
    assert "第一章" in law_page and "第八十九条" in law_page
    assert client.get("/kb/laws/").status_code == 200


@pytest.mark.django_db
def test_references_to_another_law_are_not_linked_into_this_one(tmp_path: Path) -> None:
    from tests.factories import law_from_text
    from weiyuan.knowledge.selectors import linked_text

    law = law_from_text(
        "# 某解释\n\n2020年通过\n\n<!-- INFO END -->\n\n第一条 总则。\n\n第二条 依照专利法第一条和本解释第一条处理。\n",
        name="某解释.md",
    )
    article = law.current_version.articles.get(number=2)
    html = linked_text(article, existing={"第一条", "第二条"})
    assert html.count("<a ") == 1 and "本解释第一条</a>" in html and "专利法第一条" in html


@pytest.mark.django_db
def test_law_list_query_count_does_not_grow(client, tmp_path: Path, django_assert_max_num_queries) -> None:
    laws_import(directory=LAWS)
    with django_assert_max_num_queries(6):
        assert client.get("/kb/laws/").status_code == 200


@pytest.mark.django_db
def test_preceding_paragraph_references_link_within_the_article() -> None:
    from tests.factories import law_from_text
    from weiyuan.knowledge.selectors import linked_text

    law = law_from_text(
        "# 某规定\n\n2020年通过\n\n<!-- INFO END -->\n\n第一条 甲款内容。\n\n违反前款规定的，依法处理。\n",
        name="某规定.md",
    )
    html = linked_text(law.current_version.articles.get(number=1), existing={"第一条"})
    assert '<p id="p1">甲款内容。</p>' in html
    assert '<p id="p2">违反<a href="#p1">前款</a>规定的，依法处理。</p>' in html
