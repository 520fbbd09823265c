"""Retire the clock rules `exhibition_defence` and `ecommerce_wait` (issue #6).

Nothing starts them any more: complaints at a fair store their own due time under `fair_respondent_defence`, and
e-commerce listings under `ecommerce_counter_notice_wait`. Both pairs compute the same way (hours, 24; calendar days,
15; the same party owes them), so a clock still carrying an old code is moved to the new one: its stored due time
stays, and pause, resume and the sweep find the rule again. The mapping is copied here on purpose (a migration must
not depend on code that changes later). Going back leaves the rows on the new codes, which the old code also knew.
"""

from django.db import migrations

RETIRED = {
    "exhibition_defence": "fair_respondent_defence",
    "ecommerce_wait": "ecommerce_counter_notice_wait",
}


def move_clocks(apps, schema_editor):  # type: ignore[no-untyped-def]
    Clock = apps.get_model("clocks", "Clock")
    for old, new in RETIRED.items():
        Clock.objects.filter(rule=old).update(rule=new)


class Migration(migrations.Migration):
    dependencies = [
        ("clocks", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(move_clocks, migrations.RunPython.noop, elidable=False),
    ]
