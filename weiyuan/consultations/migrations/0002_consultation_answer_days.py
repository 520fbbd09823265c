"""The answer deadline of a consultation: 5 working days by default (issue #4). The answer runs on the case's
handling clock, so this is the consultation service type's handling limit; a centre sets its own in
CentreServiceClock (data, not code)."""

from django.db import migrations

ANSWER_WORKING_DAYS = 5
PREVIOUS_WORKING_DAYS = 15  # as loaded by cases/migrations/0003_service_types.py


def set_answer_days(apps, schema_editor):
    ServiceType = apps.get_model("cases", "ServiceType")
    ServiceType.objects.filter(code="consultation", handling_working_days=PREVIOUS_WORKING_DAYS).update(
        handling_working_days=ANSWER_WORKING_DAYS
    )


def restore_previous_days(apps, schema_editor):
    ServiceType = apps.get_model("cases", "ServiceType")
    ServiceType.objects.filter(code="consultation", handling_working_days=ANSWER_WORKING_DAYS).update(
        handling_working_days=PREVIOUS_WORKING_DAYS
    )


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_initial"), ("cases", "0003_service_types")]

    operations = [migrations.RunPython(set_answer_days, restore_previous_days)]
