from django.db import migrations

SERVICE_TYPES = [
    # code, name, English name, acceptance working days, handling working days, needs right, needs respondent
    ("consultation", "咨询指导", "Consultation", 5, 15, False, False),
    ("infringement_opinion", "侵权判定参考意见", "Infringement-judgment reference opinion", 5, 30, True, True),
    ("major_dispute_solution", "重大纠纷解决方案", "Major-dispute solution", 5, 60, True, True),
    ("early_warning", "分析预警", "Analysis and early warning", 5, 30, False, False),
    ("exhibition_complaint", "展会投诉", "Exhibition complaint", 1, 3, True, True),
    ("ecommerce_complaint", "电商投诉", "E-commerce complaint", 3, 15, True, True),
    ("overseas_guidance", "海外纠纷应对指导", "Overseas dispute guidance", 5, 30, False, True),
    ("other", "其他", "Other", 5, 30, False, False),
]


def load(apps, schema_editor):
    ServiceType = apps.get_model("cases", "ServiceType")
    for position, (code, name, name_en, acc, hand, right, resp) in enumerate(SERVICE_TYPES):
        ServiceType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "acceptance_working_days": acc,
                "handling_working_days": hand,
                "needs_right": right,
                "needs_respondent": resp,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
