from django.urls import path

from weiyuan.partners import views, webhook_views

app_name = "partners"

urlpatterns = [
    path("partners/", views.organisation_list, name="list"),
    path("partners/mine/", views.own_organisation, name="own"),
    path("partners/new/", views.organisation_create, name="create"),
    path("partners/<int:pk>/", views.organisation_detail, name="detail"),
    path("partners/<int:pk>/edit/", views.organisation_edit, name="edit"),
    path("partners/<int:pk>/status/<slug:action>/", views.organisation_status, name="status"),
    path("partners/<int:pk>/agreements/new/", views.agreement_form, name="agreement_create"),
    path("partners/<int:pk>/agreements/<int:agreement_pk>/edit/", views.agreement_form, name="agreement_edit"),
    path("partners/<int:pk>/members/new/", views.member_add, name="member_add"),
    path("partners/<int:pk>/members/<int:member_pk>/<slug:action>/", views.member_status, name="member_status"),
    path("partners/<int:pk>/webhooks/new/", webhook_views.endpoint_form, name="endpoint_create"),
    path("partners/<int:pk>/webhooks/<int:endpoint_pk>/edit/", webhook_views.endpoint_form, name="endpoint_edit"),
    path(
        "partners/<int:pk>/webhooks/<int:endpoint_pk>/<slug:action>/",
        webhook_views.endpoint_action,
        name="endpoint_action",
    ),
    path("partners/<int:pk>/deliveries/", webhook_views.delivery_log, name="deliveries"),
    path(
        "partners/<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        webhook_views.delivery_redeliver,
        name="delivery_redeliver",
    ),
]
