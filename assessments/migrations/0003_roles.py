from django.db import migrations

# What each staff role may do. Custom permissions live on intake.Case (see its Meta).
ROLES = {
    "Reviewer": ["intake.work_queue"],
    "Coordinator": ["intake.work_queue", "intake.triage_case", "intake.assign_case", "intake.view_all_cases"],
    "Supervisor": [
        "intake.work_queue",
        "intake.triage_case",
        "intake.assign_case",
        "intake.view_all_cases",
        "intake.export_cases",
        "intake.approve_report",
        "intake.erase_case",
        # The admin: read everything, manage people and their roles.
        "intake.view_case",
        "intake.view_document",
        "intake.view_consent",
        "intake.view_treatment",
        "intake.view_outboundemail",
        "intake.change_outboundemail",
        "assessments.view_auditevent",
        "assessments.view_note",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
}

PERMISSION_NAMES = {
    "work_queue": "Can work the review queue",
    "triage_case": "Can triage cases",
    "assign_case": "Can assign cases to anyone",
    "view_all_cases": "Can open every case",
    "export_cases": "Can export case data",
    "approve_report": "Can approve reports",
    "erase_case": "Can carry out deletion requests",
}


def create_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for role, permissions in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        for dotted in permissions:
            app_label, codename = dotted.split(".")
            model = codename.split("_", 1)[1] if codename not in PERMISSION_NAMES else "case"
            content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            # Permissions are normally created after migrations run; create them now so the groups
            # are complete on a fresh database.
            name = PERMISSION_NAMES.get(codename) or f"Can {codename.split('_', 1)[0]} {model}"
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": name}
            )
            group.permissions.add(permission)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0002_audit_append_only"),
        ("intake", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
