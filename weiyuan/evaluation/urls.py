from django.urls import path

from weiyuan.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("evaluation/", views.scheme_list, name="list"),
    path("evaluation/new/", views.scheme_new, name="scheme_new"),
    path("evaluation/<int:year>/", views.scheme_detail, name="scheme"),
    path("evaluation/<int:year>/indicators/new/", views.indicator_new, name="indicator_new"),
    path("evaluation/<int:year>/indicators/<int:pk>/", views.indicator_edit, name="indicator_edit"),
    path("evaluation/<int:year>/indicators/<int:pk>/delete/", views.indicator_delete, name="indicator_delete"),
    path("evaluation/<int:year>/ranking/", views.ranking, name="ranking"),
    path("evaluation/<int:year>/ranking.xlsx", views.ranking_export, name="ranking_export"),
    path("evaluation/<int:year>/report.pdf", views.network_report, name="network_report"),
    path("evaluation/<int:year>/<slug:action>/", views.scheme_act, name="scheme_act"),
    path("evaluation/assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("evaluation/assessments/<int:pk>/report.pdf", views.assessment_report, name="assessment_report"),
    path("evaluation/assessments/<int:pk>/items/<int:item_pk>/self/", views.item_self, name="item_self"),
    path("evaluation/assessments/<int:pk>/items/<int:item_pk>/review/", views.item_review, name="item_review"),
    path("evaluation/assessments/<int:pk>/items/<int:item_pk>/files/", views.file_upload, name="file_upload"),
    path("evaluation/assessments/<int:pk>/<slug:action>/", views.assessment_act, name="assessment_act"),
    path("evaluation/files/<int:pk>/", views.file_download, name="file"),
]
