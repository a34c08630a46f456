from django.db import migrations

# Supervisors reset second factors and see and lift lockouts.
SUPERVISOR = [
    ("accounts", "staffsession", "reset_second_factor", "Can reset another staff member's second factor"),
    ("axes", "accessattempt", "view_accessattempt", "Can view access attempt"),
    ("axes", "accessattempt", "delete_accessattempt", "Can delete access attempt"),
]


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name="Supervisor")
    for app_label, model, codename, name in SUPERVISOR:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("assessments", "0003_roles"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
