from django.db import migrations

# Supervisors and coordinators see the service dashboard; reviewers do not.
ROLES = {"Coordinator": ["view_dashboard"], "Supervisor": ["view_dashboard"]}


def grant_dashboard(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="intake", model="case")
    # Created here as in 0003_roles, since permissions are normally made only after migrations run.
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="view_dashboard",
        defaults={"name": "Can see the service dashboard"},
    )
    for role in ROLES:
        group = Group.objects.filter(name=role).first()
        if group:
            group.permissions.add(permission)


def revoke_dashboard(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="intake", codename="view_dashboard").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_audit_actions_for_options"),
        ("intake", "0006_dashboard_permission"),
    ]

    operations = [migrations.RunPython(grant_dashboard, revoke_dashboard)]
