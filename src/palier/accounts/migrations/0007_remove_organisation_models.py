"""Last step of moving organisations out of accounts (docs/adr/0010): the models leave
accounts' state once every foreign key points at the organisations app. State only: the
tables are the organisations app's now (accounts 0006, organisations 0001)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_rename_organisation_tables"),
        ("organisations", "0001_initial"),
        ("campaigns", "0002_organisation_in_organisations_app"),
        ("training", "0003_organisation_in_organisations_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="organisation", name="members"),
                migrations.DeleteModel(name="OrganisationToken"),
                migrations.DeleteModel(name="Invitation"),
                migrations.DeleteModel(name="Membership"),
                migrations.DeleteModel(name="Organisation"),
            ],
            database_operations=[],
        ),
    ]
