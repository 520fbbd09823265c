from django.urls import path

import weiyuan.cases.urls  # noqa: F401 - registers the "tracking" path converter
from weiyuan.opinions import views

app_name = "opinions"

urlpatterns = [
    path("cases/<tracking:tracking_number>/opinions/", views.case_opinions, name="case_list"),
    path("cases/<tracking:tracking_number>/opinions/new/", views.create, name="create"),
    path("opinions/<int:pk>/", views.detail, name="detail"),
    path("opinions/<int:pk>/edit/", views.edit, name="edit"),
    path("opinions/<int:pk>/chart/", views.chart, name="chart"),
    path("opinions/<int:pk>/claims/import/", views.claims_import, name="claims_import"),
    path("opinions/<int:pk>/claims/<int:claim_id>/", views.claim_edit, name="claim_edit"),
    path("opinions/<int:pk>/claims/<int:claim_id>/features/", views.feature_add, name="feature_add"),
    path("opinions/<int:pk>/features/<int:feature_id>/", views.feature_edit, name="feature_edit"),
    path("opinions/<int:pk>/comparison/", views.comparison, name="comparison"),
    path("opinions/<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("opinions/<int:pk>/letter/", views.download, name="download"),
]
