from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_member_uuid_unique"),
    ]

    operations = [
        migrations.AlterField(
            model_name="logintoken",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("signin", "Sign in"),
                    ("signup", "Confirm sign-up"),
                    ("email_change", "Confirm new email"),
                    ("reauth", "Confirm it is you"),
                ],
                max_length=16,
            ),
        ),
    ]
