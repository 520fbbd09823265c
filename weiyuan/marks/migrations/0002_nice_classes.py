"""The 45 class headings of the Nice Classification (11th edition): the short Chinese names used in Chinese
trademark practice (商标分类表) and a short English heading."""

from django.db import migrations

NICE_CLASSES = [
    (1, "化学原料", "Chemicals"),
    (2, "颜料油漆", "Paints, varnishes, colorants"),
    (3, "日化用品", "Cosmetics and cleaning preparations"),
    (4, "燃料油脂", "Industrial oils, lubricants and fuels"),
    (5, "医药", "Pharmaceuticals and medical preparations"),
    (6, "金属材料", "Common metals and metal goods"),
    (7, "机械设备", "Machines and machine tools"),
    (8, "手工器械", "Hand tools and implements"),
    (9, "科学仪器", "Scientific, electronic and computer apparatus, software"),
    (10, "医疗器械", "Medical and veterinary apparatus"),
    (11, "灯具空调", "Lighting, heating, cooking, refrigerating and sanitary apparatus"),
    (12, "运输工具", "Vehicles"),
    (13, "军火烟火", "Firearms, ammunition and fireworks"),
    (14, "珠宝钟表", "Jewellery, precious metals, clocks and watches"),
    (15, "乐器", "Musical instruments"),
    (16, "办公用品", "Paper, printed matter and stationery"),
    (17, "橡胶制品", "Rubber, plastics and insulating materials"),
    (18, "皮革皮具", "Leather goods, bags and umbrellas"),
    (19, "建筑材料", "Non-metallic building materials"),
    (20, "家具", "Furniture and mirrors"),
    (21, "厨房洁具", "Household and kitchen utensils, glassware"),
    (22, "绳网袋篷", "Ropes, nets, tents, sacks and raw fibres"),
    (23, "纱线丝", "Yarns and threads"),
    (24, "布料床单", "Textiles, bed and table covers"),
    (25, "服装鞋帽", "Clothing, footwear and headwear"),
    (26, "纽扣拉链", "Lace, buttons, zips and haberdashery"),
    (27, "地毯席垫", "Carpets, mats and wall hangings"),
    (28, "健身器材", "Games, toys and sporting articles"),
    (29, "食品", "Meat, fish, dairy and preserved foods"),
    (30, "方便食品", "Coffee, tea, flour, bakery goods and condiments"),
    (31, "饲料种籽", "Agricultural products, live animals, fresh fruit and seeds"),
    (32, "啤酒饮料", "Beers and non-alcoholic beverages"),
    (33, "酒", "Alcoholic beverages except beers"),
    (34, "烟草烟具", "Tobacco and smokers' articles"),
    (35, "广告销售", "Advertising, business management and retail services"),
    (36, "金融物管", "Insurance, financial and real estate services"),
    (37, "建筑修理", "Construction, repair and installation services"),
    (38, "通讯服务", "Telecommunications"),
    (39, "运输贮藏", "Transport, packaging, storage and travel arrangement"),
    (40, "材料加工", "Treatment of materials"),
    (41, "教育娱乐", "Education, training, entertainment and sport"),
    (42, "网站服务", "Scientific and technological services, software design"),
    (43, "餐饮住宿", "Food and drink services, temporary accommodation"),
    (44, "医疗园艺", "Medical, beauty, agricultural and horticultural services"),
    (45, "社会服务", "Legal, security and personal services"),
]


def load(apps, schema_editor):
    NiceClass = apps.get_model("marks", "NiceClass")
    for number, zh, en in NICE_CLASSES:
        NiceClass.objects.update_or_create(number=number, defaults={"heading_zh": zh, "heading_en": en})


def unload(apps, schema_editor):
    apps.get_model("marks", "NiceClass").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("marks", "0001_register")]

    operations = [migrations.RunPython(load, unload)]
