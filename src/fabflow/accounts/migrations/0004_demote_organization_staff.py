"""Organization users stop being Django staff or superusers.

Before operators existed, the first admin and `createadmin` made Django superusers that belonged
to an organization, and Django's admin site let them reach every organization. They keep their
organization and its admin pages; Django's admin site is now for operators only
(`fabflow createoperator`).
"""

from django.db import migrations


def demote_organization_staff(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    User.objects.filter(organization__isnull=False).exclude(
        is_staff=False, is_superuser=False
    ).update(is_staff=False, is_superuser=False)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_organization_allow_private_addresses"),
    ]

    operations = [
        migrations.RunPython(demote_organization_staff, migrations.RunPython.noop),
    ]
