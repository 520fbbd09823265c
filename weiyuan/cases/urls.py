from django.urls import path, register_converter

from weiyuan.cases import views


class TrackingNumberConverter:
    """WY-<year>-<5-digit centre>-<6-digit sequence>; anything else is not a case URL (404)."""

    regex = r"WY-\d{4}-\d{5}-\d{6}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(TrackingNumberConverter, "tracking")

app_name = "cases"

urlpatterns = [
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/assign/", views.bulk_assign, name="bulk_assign"),
    path("cases/new/", views.intake_start, name="intake_start"),
    path("cases/new/route/", views.intake_route, name="intake_route"),
    path("cases/new/regions/", views.region_options, name="region_options"),
    path("cases/new/form/", views.intake_form, name="intake_form"),
    path("cases/new/checks/", views.intake_checks, name="intake_checks"),
    path("cases/mine/", views.my_cases, name="my_cases"),
    path("cases/track/", views.track, name="track"),
    path("cases/<tracking:tracking_number>/", views.detail, name="detail"),
    path("cases/<tracking:tracking_number>/letter/", views.letter, name="letter"),
    path("cases/<tracking:tracking_number>/audit/", views.audit_trail, name="audit"),
    path("cases/<tracking:tracking_number>/personal-data/", views.personal_data, name="personal_data"),
    path("cases/<tracking:tracking_number>/actions/<slug:action>/", views.case_action, name="action"),
]
