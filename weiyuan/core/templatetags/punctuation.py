"""Punctuation by the active language in templates (see weiyuan/core/punctuation.py).

{% load punctuation %}
{% translate "办结结果" %}{% colon %}{{ outcome }}          办结结果：… / Outcome: …
{{ due_at|date:"Y-m-d" }}{{ due_at|remaining|parens }}    2026-03-02（还剩 3 天） / 2026-03-02 (3 days left)
{% parens %}{{ label }} · {% translate "历史版本" %}{% endparens %}
{{ names|join_list }}  {% list_comma %}                   专利、商标 / Patent, Trademark
{% comma %} {% full_stop %}                               ，。 / ", " ". "
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Parser, Token
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from weiyuan.core import punctuation

register = template.Library()


@register.simple_tag
def colon() -> str:
    return punctuation.colon()


@register.simple_tag
def list_comma() -> str:
    return punctuation.list_comma()


@register.simple_tag
def comma() -> str:
    return punctuation.comma()


@register.simple_tag
def semicolon() -> str:
    """Between clauses: "；" / "; "."""
    return punctuation.clause_separator()


@register.simple_tag
def full_stop() -> str:
    return punctuation.full_stop()


@register.filter(needs_autoescape=True)
def parens(value: Any, autoescape: bool = True) -> SafeString | str:
    """The value in brackets; nothing when the value is empty."""
    if value in (None, ""):
        return ""
    text = conditional_escape(value) if autoescape else value
    return mark_safe(punctuation.parenthesised(text))  # escaped above


@register.filter(needs_autoescape=True)
def join_list(values: Any, autoescape: bool = True) -> SafeString | str:
    items = [conditional_escape(v) if autoescape else v for v in values or ()]
    return mark_safe(punctuation.join_list(items))  # each item escaped above


class ParensNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        inner = self.nodelist.render(context)  # already escaped by the template engine
        return mark_safe(punctuation.parenthesised(inner)) if inner.strip() else ""


@register.tag("parens")
def do_parens(parser: Parser, token: Token) -> ParensNode:
    """{% parens %}…{% endparens %}: the rendered block in brackets (for a block mixing data and translations)."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("'parens' takes no arguments")
    nodelist = parser.parse(("endparens",))
    parser.delete_first_token()
    return ParensNode(nodelist)
