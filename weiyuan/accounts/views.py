"""Account pages: register, verify e-mail, log in/out, profile, password, two-factor, API tokens. Thin: parse, call
one service or selector, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import LoginView, PasswordChangeView
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from weiyuan.accounts import services
from weiyuan.accounts.forms import (
    ApiTokenForm,
    LanguageForm,
    LoginForm,
    RegistrationForm,
    ResendVerificationForm,
    TotpCodeForm,
)
from weiyuan.accounts.middleware import SESSION_GENERATION_KEY
from weiyuan.accounts.models import User
from weiyuan.accounts.otp import (
    confirmed_device,
    provisioning_url,
    qr_svg,
    secret_grouped,
    two_factor_required,
)
from weiyuan.accounts.selectors import api_tokens_of, memberships_for_profile
from weiyuan.core.choices import ApplicantKind
from weiyuan.core.validators import mask_middle

TOTP_SETUP_SESSION_KEY = "weiyuan_totp_setup_key"
PAGE_SIZE = 25


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required ran first
    return user


def _set_language_cookie(response: HttpResponseBase, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


# --- log in / out -----------------------------------------------------------------------------------------------


class AccountLoginView(LoginView):
    """Django's LoginView: AuthenticationForm calls authenticate(request, ...), so django-axes counts failures and
    shows accounts/locked_out.html after the limit."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        user = form.get_user()
        # A fresh session carries the current generation, so an earlier "log out everywhere" does not end it.
        self.request.session[SESSION_GENERATION_KEY] = user.session_generation
        if user.preferred_language:
            _set_language_cookie(response, user.preferred_language)
        return response


# --- registration and e-mail verification ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("kind", ApplicantKind.PERSON)
    if kind not in ApplicantKind.values:
        kind = ApplicantKind.PERSON
    if request.method == "POST":
        form = RegistrationForm(request.POST, request.FILES, kind=kind)
        if form.is_valid():
            try:
                outcome = services.user_self_register(
                    data=form.to_input(language=translation.get_language() or settings.LANGUAGE_CODE),
                    power_of_attorney=form.cleaned_data.get("power_of_attorney"),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if outcome.email:
                    # The same words whether the account was just created or the address already had one (its
                    # holder was written to instead): the page must not reveal which addresses are registered.
                    # The words are true either way: the mail explains the next step (verify the address, or log in).
                    messages.success(
                        request,
                        _(
                            "注册申请已提交。我们已向 %(email)s 发送一封邮件，"
                            "请查收（包括垃圾邮件箱）并按邮件中的说明操作。"
                        )
                        % {"email": services.mask_email(outcome.email)},
                    )
                else:
                    messages.success(request, _("注册成功，请用手机号和密码登录。"))
                return redirect("accounts:login")
    else:
        form = RegistrationForm(kind=kind)
    return render(
        request,
        "accounts/register.html",
        {"form": form, "kind": kind, "kinds": ApplicantKind.choices},
    )


@require_http_methods(["GET"])
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.user_verify_email(token=token)
    except services.EmailVerificationError as exc:
        return render(
            request,
            "accounts/verify_failed.html",
            {
                "reason": exc.reason,
                # An authentic but expired link can be traded for a new one without typing the address.
                "form": ResendVerificationForm(initial={"token": token if exc.user_id else ""}),
                "resend_with_token": bool(exc.user_id),
            },
            status=400,
        )
    return render(request, "accounts/verify_done.html", {"masked_email": services.mask_email(user.email)})


@require_http_methods(["GET", "POST"])
def resend_verification(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ResendVerificationForm(request.POST)
        if form.is_valid():
            services.user_resend_verification(token=form.cleaned_data["token"], email=form.cleaned_data["email"])
            # The same answer whether or not the address is registered: the form must not reveal accounts.
            messages.success(
                request, _("如果该邮箱已注册且尚未验证，我们已重新发送验证邮件，请查收（包括垃圾邮件箱）。")
            )
            return redirect("accounts:login")
    else:
        form = ResendVerificationForm()
    return render(request, "accounts/resend_verification.html", {"form": form})


# --- profile, language, password, sessions ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        language_form = LanguageForm(request.POST)
        if language_form.is_valid():
            language = language_form.cleaned_data["language"]
            services.user_set_language(user=user, language=language)
            translation.activate(language)
            messages.success(request, _("界面语言已保存。"))
            response = redirect("accounts:profile")
            _set_language_cookie(response, language)
            return response
    else:
        language_form = LanguageForm(initial={"language": user.preferred_language})
    context: dict[str, Any] = {
        "profile_user": user,
        "masked_phone": mask_middle(user.phone or ""),
        "masked_id_number": mask_middle(user.id_number or ""),
        "masked_email": user.email or "",
        "memberships": memberships_for_profile(user),
        "authorisations": user.authorisations.order_by("-created_at"),
        "language_form": language_form,
        "has_2fa": confirmed_device(user) is not None,
        "requires_2fa": two_factor_required(user),
    }
    return render(request, "accounts/profile.html", context)


class AccountPasswordChangeView(PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:  # type: ignore[override]
        user = services.user_password_change(user=form.user, new_password=form.cleaned_data["new_password1"])
        # Keeps this session; every other session ends because the password hash it carries no longer matches.
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("密码已修改，其他设备上的登录已失效。"))
        return HttpResponseRedirect(self.get_success_url())


@login_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """Ends every other session of the user. This session stays signed in: it is given the new generation and a
    new session key, so the person who pressed the button keeps working while all other devices are logged out."""
    generation = services.user_logout_everywhere(user=_user(request))
    request.session.cycle_key()
    request.session[SESSION_GENERATION_KEY] = generation
    messages.success(request, _("已退出其他所有设备上的登录，本设备保持登录。"))
    return redirect("accounts:profile")


# --- two-factor ---------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Show a new secret (and its QR code); bind it once the user types a code from their authenticator.

    The secret lives in the session until confirmed, so a GET writes nothing. A user who already has a confirmed
    device and a verified session may bind a new phone here (the old device is replaced on confirmation)."""
    user = _user(request)
    device = confirmed_device(user)
    if device is not None and not user.is_verified():  # type: ignore[attr-defined]
        return redirect(_with_next("accounts:two_factor_verify", _safe_next(request, "")))
    key_hex = request.session.get(TOTP_SETUP_SESSION_KEY)
    if not key_hex or request.GET.get("new") == "1":
        key_hex = services.totp_new_key()
        request.session[TOTP_SETUP_SESSION_KEY] = key_hex
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new_device = services.totp_device_confirm(user=user, key_hex=key_hex, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session.pop(TOTP_SETUP_SESSION_KEY, None)
            otp_login(request, new_device)
            messages.success(request, _("双因素认证已启用。以后登录时需要输入身份验证器上的验证码。"))
            return redirect(_safe_next(request, reverse("accounts:profile")))
    label = user.email or user.display_name or _("维援用户")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "secret": secret_grouped(key_hex),
            "qr": qr_svg(provisioning_url(key_hex=key_hex, account_label=label)),
            "has_device": device is not None,
            "requires_2fa": two_factor_required(user),
            "next": _safe_next(request, ""),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    next_url = _safe_next(request, reverse(settings.LOGIN_REDIRECT_URL))
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(next_url)
    if confirmed_device(user) is None:
        return redirect(_with_next("accounts:two_factor_setup", next_url))
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.totp_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(next_url)
        form.add_error("code", _("验证码不正确或已使用，请输入身份验证器上最新的 6 位数字。多次错误后需稍候再试。"))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    try:
        services.totp_device_remove(user=_user(request))
    except ValidationError as exc:
        return render(request, "accounts/forbidden.html", {"reason": exc.messages[0]}, status=403)
    messages.success(request, _("双因素认证已关闭。"))
    return redirect("accounts:profile")


# --- API tokens ---------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    new_token = ""
    status = 200
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                _row, new_token = services.api_token_create(user=user, name=form.cleaned_data["name"])
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
            else:
                form = ApiTokenForm()
        else:
            status = 400
    else:
        form = ApiTokenForm()
    page = Paginator(api_tokens_of(user), PAGE_SIZE).get_page(request.GET.get("page"))
    # The clear token is rendered in this response only (never stored, never redirected through a URL).
    response = render(
        request, "accounts/api_tokens.html", {"form": form, "page": page, "new_token": new_token}, status=status
    )
    if new_token:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    token = get_object_or_404(api_tokens_of(user), pk=pk)
    services.api_token_revoke(user=user, token=token)
    messages.success(request, _("令牌 %(prefix)s… 已撤销。") % {"prefix": token.prefix})
    return redirect("accounts:api_tokens")
