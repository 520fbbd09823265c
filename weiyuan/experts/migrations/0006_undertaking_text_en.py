"""The English rendering of the confidentiality undertaking's version 1 (shown in the English UI; the Chinese text
stays the one the expert undertakes and the one its digest covers)."""

from django.db import migrations

TITLE_EN = "Expert Confidentiality Undertaking"
BODY_EN = "\n".join(
    [
        "I have been invited by an IP rights protection assistance centre to give a professional opinion on the case "
        "concerned. I undertake:",
        "",
        "1. To keep strictly confidential the information on the case, on the applicant and the other parties, the "
        "evidence and the centre's work that I learn in this task; not to disclose it to any third party and not to "
        "use it for any purpose other than this task;",
        "2. To consult and use the materials the centre shares with me only as far as this task requires; not to copy, "
        "keep or forward them, and to delete all copies I hold when the task ends;",
        "3. To inform the centre at once and stop working if I have a conflict of interest with a party to the case or "
        "find any circumstance that may affect my independent and impartial judgment;",
        "4. That my duty of confidentiality does not end when the task ends;",
        "5. To bear the legal liability for any breach of this undertaking.",
        "",
        "This English rendering is for reference; the Chinese text is the one you undertake.",
    ]
)


def seed(apps, schema_editor):
    UndertakingText = apps.get_model("experts", "UndertakingText")
    UndertakingText.objects.filter(version=1, body_en="").update(title_en=TITLE_EN, body_en=BODY_EN)


def unseed(apps, schema_editor):
    apps.get_model("experts", "UndertakingText").objects.filter(version=1).update(title_en="", body_en="")


class Migration(migrations.Migration):
    dependencies = [("experts", "0005_expert_tasks")]

    operations = [migrations.RunPython(seed, unseed)]
