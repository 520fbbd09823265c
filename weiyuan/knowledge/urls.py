from django.urls import path

from weiyuan.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("kb/laws/", views.law_index, name="law_index"),
    path("kb/laws/<str:key>/", views.law_detail, name="law"),
    path("kb/laws/<str:key>/<str:number_text>/", views.article_detail, name="article"),
]
