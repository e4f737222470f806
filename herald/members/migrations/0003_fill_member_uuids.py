import uuid

from django.db import migrations


def fill_uuids(apps, schema_editor):
    User = apps.get_model("members", "User")
    for user in User.objects.filter(uuid__isnull=True).only("pk").iterator():
        User.objects.filter(pk=user.pk).update(uuid=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("members", "0002_member_accounts_billing")]

    operations = [migrations.RunPython(fill_uuids, migrations.RunPython.noop)]
