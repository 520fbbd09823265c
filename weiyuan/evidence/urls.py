from django.urls import path

from weiyuan.evidence import views

app_name = "evidence"

urlpatterns = [
    path("evidence/<int:evidence_id>/download/", views.download, name="download"),
]
