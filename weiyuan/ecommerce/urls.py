from django.urls import path

from weiyuan.ecommerce import public_views, views

app_name = "ecommerce"

urlpatterns = [
    path("ecommerce/public/", public_views.public_list, name="public"),
    path("ecommerce/public/<int:pk>/", public_views.public_detail, name="public_detail"),
    path("ecommerce/notices/", views.notice_list, name="list"),
    path("ecommerce/notices/new/", views.notice_new, name="new"),
    path("ecommerce/inbox/", views.inbox, name="inbox"),
    path("ecommerce/notices/<int:pk>/", views.notice_detail, name="detail"),
    path("ecommerce/notices/<int:pk>/edit/", views.notice_edit, name="edit"),
    path("ecommerce/notices/<int:pk>/listings/", views.listings_add, name="listings_add"),
    path("ecommerce/notices/<int:pk>/documents/", views.documents_add, name="documents_add"),
    path("ecommerce/notices/<int:pk>/send/", views.notice_send, name="send"),
    path("ecommerce/notices/<int:pk>/measures/", views.measures_many, name="measures_many"),
    path("ecommerce/notices/<int:pk>/wrong/", views.wrong_notice, name="wrong"),
    path("ecommerce/notices/<int:pk>/files/<int:evidence_id>/", views.notice_file, name="file"),
    path("ecommerce/listings/<int:pk>/", views.listing_detail, name="listing"),
    path("ecommerce/listings/<int:pk>/<slug:action>/", views.listing_act, name="listing_act"),
]
