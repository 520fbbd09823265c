"""The first version of the confidentiality undertaking 保密承诺书 (data: a new version is a new row)."""

from django.db import migrations

TITLE = "专家保密承诺书"
BODY = """本人受知识产权维权援助机构邀请，就所涉案件提供专业意见。本人承诺：

一、对在本任务中知悉的案件信息、申请人及其他当事人的信息、证据材料以及援助机构的工作信息严格保密，不向任何第三方披露，不用于本任务以外的任何目的；
二、仅在完成本任务所必需的范围内查阅和使用援助机构共享的材料，不复制、不留存、不转发，任务结束后删除本人保存的全部副本；
三、如与案件当事人存在利益冲突或发现可能影响独立、公正判断的情形，立即告知援助机构并停止工作；
四、保密义务不因任务结束而终止；
五、违反本承诺的，本人愿承担相应的法律责任。"""


def seed(apps, schema_editor):
    UndertakingText = apps.get_model("experts", "UndertakingText")
    UndertakingText.objects.get_or_create(version=1, defaults={"title": TITLE, "body": BODY})


def unseed(apps, schema_editor):
    apps.get_model("experts", "UndertakingText").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("experts", "0003_invitations")]

    operations = [migrations.RunPython(seed, unseed)]
