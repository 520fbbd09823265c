"""How the API answers problems: 404 for what the caller may not see, 403/409/400 with the reason from the
transition table, and 422 with one `{"field", "message"}` item per invalid field, whichever layer caught it."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from weiyuan.cases.services.intake import nul_message
from weiyuan.cases.transitions import TransitionRefused

# The intake service names right fields like form fields ("rights-0-number"); the API says "rights.0.number",
# as it does for errors found while parsing the body.
_FORM_PREFIX_RE = re.compile(r"^rights-(\d+)-(\w+)$")
NON_FIELD = "non_field_errors"


class ApiError(Exception):
    """A refusal with a status code and a reason, for problems that are not a field of the input."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def api_field_name(name: str) -> str:
    if name == "__all__":
        return NON_FIELD
    match = _FORM_PREFIX_RE.match(name)
    if match:
        return f"rights.{match.group(1)}.{match.group(2)}"
    return name


def django_errors(exc: DjangoValidationError) -> list[dict[str, str]]:
    """One item per message, each naming its field (API spelling)."""
    if hasattr(exc, "error_dict"):
        return [
            {"field": api_field_name(name), "message": str(message)}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": NON_FIELD, "message": str(m)} for m in exc.messages]


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("此项必填。")
    if kind == "string_nul":  # schemas.CleanIn; the same words as the intake service's
        return nul_message()
    if kind == "string_too_long":
        return _("内容过长：最多 %(limit)s 个字符，请精简。") % {"limit": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("内容过短：至少 %(limit)s 个字符。") % {"limit": ctx.get("min_length")}
    if kind == "string_type":
        return _("应为文本（字符串）。")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("应为整数。")
    if kind == "greater_than_equal":
        return _("不能小于 %(limit)s。") % {"limit": ctx.get("ge")}
    if kind == "less_than_equal":
        return _("不能大于 %(limit)s。") % {"limit": ctx.get("le")}
    if kind in {"bool_parsing", "bool_type"}:
        return _("应为 true 或 false。")
    if kind.startswith("date"):
        return _("日期格式应为 YYYY-MM-DD，例如 2026-03-01。")
    if kind == "list_type":
        return _("应为列表（JSON 数组）。")
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return _("应为 JSON 对象。")
    if kind == "extra_forbidden":
        return _("不认识的字段，请检查拼写或删除该字段。")
    if kind == "json_invalid":
        return _("请求体不是有效的 JSON。")
    return str(error.get("msg", _("输入无效。")))


def _pydantic_field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if not parts:
        return NON_FIELD
    source, rest = parts[0], parts[1:]
    # Body errors carry the view's parameter name first ("payload"); the client never sees that name.
    if source == "body":
        rest = rest[1:]
    if source == "header" and rest:
        return rest[-1]
    return ".".join(rest) or source


def ninja_errors(exc: NinjaValidationError) -> list[dict[str, str]]:
    return [{"field": _pydantic_field(e.get("loc", ())), "message": _pydantic_message(e)} for e in exc.errors]


def error_response(api: NinjaAPI, request: HttpRequest, status: int, detail: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


def install_exception_handlers(api: NinjaAPI) -> None:
    def on_http404(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, 404, _("未找到，或您无权查看。"))

    def on_refused(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, exc.status, exc.reason)

    def on_api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, exc.status, exc.detail)

    def on_permission_denied(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, 403, str(exc) or _("您的角色不能执行此操作。"))

    def on_django_invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, 422, django_errors(exc))

    def on_ninja_invalid(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, 422, ninja_errors(exc))

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        # django-ninja's own refusals, reworded for the caller with the fix.
        detail = str(exc)
        if exc.status_code == 403 and detail.startswith("CSRF"):
            detail = _("CSRF 校验失败：会话方式调用须在请求头 X-CSRFToken 中附上 CSRF 令牌，或改用 API 令牌。")
        elif exc.status_code == 400 and detail.startswith("Cannot parse request body"):
            detail = _("请求体无法解析：请发送 JSON，并设置 Content-Type: application/json。")
        return error_response(api, request, exc.status_code, detail)

    def on_unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        response = error_response(
            api, request, 401, _("请先登录，或在请求头中提供有效的 API 令牌：Authorization: Bearer wy_…")
        )
        response["WWW-Authenticate"] = 'Bearer realm="weiyuan"'
        return response

    api.add_exception_handler(Http404, on_http404)
    api.add_exception_handler(TransitionRefused, on_refused)
    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(DjangoValidationError, on_django_invalid)
    api.add_exception_handler(NinjaValidationError, on_ninja_invalid)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(AuthenticationError, on_unauthenticated)
