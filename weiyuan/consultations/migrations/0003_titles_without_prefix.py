"""Consultation titles were stored as "咨询：<question>"; they are now the question's words alone (the pages show the
service type beside the title in the reader's language)."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Substr

PREFIX = "咨询："


def strip_prefix(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(service_type__code="consultation", title__startswith=PREFIX).update(
        title=Substr("title", len(PREFIX) + 1)
    )


def add_prefix(apps, schema_editor):
    from django.db.models.functions import Concat

    Case = apps.get_model("cases", "Case")
    Case.objects.filter(service_type__code="consultation").exclude(title__startswith=PREFIX).update(
        title=Concat(Value(PREFIX), "title")
    )


class Migration(migrations.Migration):
    dependencies = [("consultations", "0002_consultation_answer_days"), ("cases", "0001_initial")]

    operations = [migrations.RunPython(strip_prefix, add_prefix)]
