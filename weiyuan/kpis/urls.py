from django.urls import path

from weiyuan.kpis import views

app_name = "kpis"

urlpatterns = [
    path("kpis/", views.home, name="home"),
    path("kpis/ranking/", views.ranking, name="ranking"),
    path("kpis/c/<slug:code>/", views.dashboard, name="dashboard"),
    path("kpis/c/<slug:code>/cases/", views.cases, name="cases"),
    path("kpis/c/<slug:code>/export/<slug:table>.<slug:fmt>", views.export, name="export"),
]
