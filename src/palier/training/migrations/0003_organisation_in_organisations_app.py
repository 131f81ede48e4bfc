"""Training providers follow Organisation to the organisations app (docs/adr/0010).
State only: the table was renamed by accounts 0006 and the database constraint followed."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0002_confirmation_request"),
        ("organisations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="module",
                    name="provider",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="modules",
                        to="organisations.organisation",
                        verbose_name="organisme",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
