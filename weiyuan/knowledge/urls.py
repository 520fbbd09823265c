from django.urls import path

from weiyuan.knowledge.views import items, laws, manage

app_name = "knowledge"

urlpatterns = [
    path("kb/", items.home, name="home"),
    path("kb/laws/", laws.law_index, name="law_index"),
    path("kb/laws/<str:key>/", laws.law_detail, name="law"),
    path("kb/laws/<str:key>/<str:number_text>/", laws.article_detail, name="article"),
    path("kb/items/<int:pk>/", items.item_detail, name="item"),
    path("kb/items/<int:pk>/history/", items.item_history, name="item_history"),
    path("kb/items/<int:pk>/history/<int:number>/", items.item_version, name="item_version"),
    path("kb/items/<int:pk>/edit/", manage.item_edit, name="item_edit"),
    path("kb/items/<int:pk>/actions/<str:action>/", manage.item_action, name="item_action"),
    path("kb/manage/", manage.manage, name="manage"),
    path("kb/manage/new/", manage.item_create, name="item_create"),
    path("kb/manage/citations/", manage.citation_check, name="citation_check"),
]
