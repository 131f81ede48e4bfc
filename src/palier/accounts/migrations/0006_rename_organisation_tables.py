"""First step of moving organisations out of accounts (docs/adr/0010): rename their tables
to the organisations app's names, rows and foreign keys kept (both SQLite and PostgreSQL
carry the references of other tables along with a renamed table).

The next steps: organisations 0001 takes the models into its state on these tables;
campaigns 0002 and training 0003 point their foreign keys at it; accounts 0007 drops the
models from accounts' state. None of them touches the database."""

from django.db import migrations

MOVED_MODELS = ("organisation", "membership", "invitation", "organisationtoken")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_pending_invitation_unique"),
    ]

    operations = [
        migrations.AlterModelTable(name=name, table=f"organisations_{name}")
        for name in MOVED_MODELS
    ]
