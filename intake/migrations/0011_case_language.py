from django.db import migrations, models


def spanish_for_those_who_asked(apps, schema_editor):
    # Cases from before: the families who said they prefer Spanish get Spanish from now on.
    Case = apps.get_model("intake", "Case")
    Case.objects.filter(preferred_language="es").update(language="es")


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0010_share_summaries"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="language",
            field=models.CharField(
                choices=[("en", "English"), ("es", "Spanish")],
                default="en",
                max_length=5,
                verbose_name="language we write in",
            ),
        ),
        migrations.RunPython(spanish_for_those_who_asked, migrations.RunPython.noop),
    ]
