from django.contrib.auth.views import LogoutView
from django.urls import path

from weiyuan.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.AccountLoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/logout-everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("accounts/register/", views.register, name="register"),
    path("accounts/verify/resend/", views.resend_verification, name="resend_verification"),
    path("accounts/verify/<str:token>/", views.verify_email, name="verify_email"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/password/", views.AccountPasswordChangeView.as_view(), name="password_change"),
    path("accounts/2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("accounts/2fa/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("accounts/2fa/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("accounts/tokens/", views.api_tokens, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
