from decimal import Decimal

from django.db import migrations

# The criteria of a major case as of this migration (frozen here; later changes get their own migration or are
# edited as data). code, kind, name, English name, threshold (yuan or a count), position.
CRITERIA = [
    ("amount_5m", "amount", "争议金额达到 500 万元", "Amount in dispute of 5 million yuan or more", Decimal("5000000"), 1),
    ("party_abroad", "parties_abroad", "有当事人在境外", "A party is abroad", None, 2),
    ("rights_5", "rights_count", "涉及 5 项以上权利", "Five or more rights concerned", Decimal("5"), 3),
    (
        "industry_impact",
        "industry_impact",
        "对产业有重大影响（工作人员认定并说明理由）",
        "Major impact on an industry (found by staff, with reasons)",
        None,
        4,
    ),
]


def load(apps, schema_editor):
    MajorCriterion = apps.get_model("panels", "MajorCriterion")
    for code, kind, name, name_en, threshold, position in CRITERIA:
        MajorCriterion.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "name_en": name_en,
                "threshold": threshold,
                "position": position,
                "active": True,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("panels", "MajorCriterion").objects.filter(code__in=[c[0] for c in CRITERIA]).delete()


class Migration(migrations.Migration):
    dependencies = [("panels", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
