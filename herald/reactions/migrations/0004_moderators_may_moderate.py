"""Give the "Moderators" group the one permission the moderation desk asks for.

Moderators have admin access and nothing else (newsroom 0003); the desk needs
``reactions.moderate_comments`` and no other right. Administrators get every
permission after each ``migrate`` (``NewsroomConfig.ready``).
"""

from django.db import migrations


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="reactions", model="comment"
    )
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="moderate_comments",
        defaults={"name": "Can moderate comments"},
    )
    for group in Group.objects.filter(name="Moderators"):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permission = Permission.objects.filter(
        content_type__app_label="reactions", codename="moderate_comments"
    ).first()
    if permission is not None:
        for group in Group.objects.filter(name="Moderators"):
            group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("reactions", "0003_moderation"),
        ("newsroom", "0003_newsroom_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
