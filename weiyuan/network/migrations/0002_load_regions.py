from django.db import migrations


def load(apps, schema_editor):
    from weiyuan.network.services import regions_load

    regions_load(apps.get_model("network", "Region"))


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
