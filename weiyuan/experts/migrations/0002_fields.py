from django.db import migrations

# The fields of expertise as of this migration (frozen here; later changes get their own migration).
# code, kind, name, English name, IP types whose cases want the field, service types whose cases want it.
FIELDS = [
    ("patent_law", "legal", "专利法", "Patent law", ["invention", "utility_model", "design"], []),
    ("trademark_law", "legal", "商标法", "Trademark law", ["trademark", "gi"], []),
    ("copyright_law", "legal", "著作权法", "Copyright law", ["copyright"], []),
    ("unfair_competition", "legal", "反不正当竞争与商业秘密", "Unfair competition and trade secrets", ["trade_secret"], []),
    ("ic_layout_law", "legal", "集成电路布图设计", "IC layout designs", ["ic_layout"], []),
    ("geographical_indications", "legal", "地理标志", "Geographical indications", ["gi"], []),
    ("ecommerce_law", "legal", "电子商务与平台治理", "E-commerce and platforms", [], ["ecommerce_complaint"]),
    ("exhibitions", "legal", "展会知识产权保护", "IP protection at exhibitions", [], ["exhibition_complaint"]),
    ("overseas_disputes", "legal", "海外知识产权纠纷", "Overseas IP disputes", [], ["overseas_guidance"]),
    ("customs_protection", "legal", "知识产权海关保护", "Customs protection of IP", [], []),
    ("ip_valuation", "legal", "知识产权评估与运营", "IP valuation and commercialisation", [], ["early_warning"]),
    ("electronics", "technical", "电子与通信", "Electronics and communications", [], []),
    ("computing", "technical", "计算机与软件", "Computing and software", [], []),
    ("semiconductors", "technical", "半导体与集成电路", "Semiconductors and integrated circuits", ["ic_layout"], []),
    ("mechanical", "technical", "机械与装备制造", "Mechanical engineering and equipment", [], []),
    ("chemistry", "technical", "化学与新材料", "Chemistry and new materials", [], []),
    ("biomedicine", "technical", "生物医药", "Biomedicine", [], []),
    ("new_energy", "technical", "新能源与汽车", "New energy and vehicles", [], []),
    ("agriculture_food", "technical", "农业与食品", "Agriculture and food", ["gi"], []),
    ("consumer_goods", "technical", "轻工与日用消费品", "Light industry and consumer goods", [], []),
    ("textiles_apparel", "technical", "纺织与服装", "Textiles and apparel", [], []),
    ("industrial_design", "technical", "工业设计", "Industrial design", ["design"], []),
]


def load(apps, schema_editor):
    ExpertField = apps.get_model("experts", "ExpertField")
    for position, (code, kind, name, name_en, ip_types, service_types) in enumerate(FIELDS):
        ExpertField.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "name_en": name_en,
                "ip_types": ip_types,
                "service_types": service_types,
                "position": position,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("experts", "ExpertField").objects.filter(code__in=[f[0] for f in FIELDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("experts", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
