"""The organisations app takes Organisation, Membership, Invitation and OrganisationToken
over from accounts (docs/adr/0010). State only for the models: their tables were renamed to
organisations_* by accounts 0006, with their rows. The content types follow too, so that
permissions granted on these models and the management site's history stay attached."""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

MOVED_MODELS = ("organisation", "membership", "invitation", "organisationtoken")


def move_content_types(apps, schema_editor, source="accounts", target="organisations"):
    """Relabel the moved models' content types (none exist yet on a new database: they are
    created after migrating)."""
    content_type = apps.get_model("contenttypes", "ContentType")
    db_alias = schema_editor.connection.alias
    for model in MOVED_MODELS:
        if content_type.objects.using(db_alias).filter(app_label=target, model=model).exists():
            continue
        content_type.objects.using(db_alias).filter(app_label=source, model=model).update(
            app_label=target
        )


def restore_content_types(apps, schema_editor):
    move_content_types(apps, schema_editor, source="organisations", target="accounts")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0006_rename_organisation_tables"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('admin', "Administrateur de l'organisation"), ('member', 'Membre')], default='member', max_length=16, verbose_name='rôle')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': "membre d'une organisation",
                        'verbose_name_plural': 'membres des organisations',
                    },
                ),
                migrations.CreateModel(
                    name='Organisation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='nom')),
                        ('slug', models.SlugField(max_length=80, unique=True, verbose_name='identifiant')),
                        ('type', models.CharField(choices=[('university', 'Université'), ('health_institute', 'Institut de formation en santé'), ('secondary_institute', 'Institut de formation de niveau secondaire (IFAS, IFAP)'), ('continuing_education', 'Organisme de formation continue'), ('care_structure', 'Structure sanitaire ou médico-sociale'), ('other', 'Autre')], max_length=32, verbose_name='type')),
                        ('region', models.CharField(blank=True, choices=[('84', 'Auvergne-Rhône-Alpes'), ('27', 'Bourgogne-Franche-Comté'), ('53', 'Bretagne'), ('24', 'Centre-Val de Loire'), ('94', 'Corse'), ('44', 'Grand Est'), ('32', 'Hauts-de-France'), ('11', 'Île-de-France'), ('28', 'Normandie'), ('75', 'Nouvelle-Aquitaine'), ('76', 'Occitanie'), ('52', 'Pays de la Loire'), ('93', "Provence-Alpes-Côte d'Azur"), ('01', 'Guadeloupe'), ('02', 'Martinique'), ('03', 'Guyane'), ('04', 'La Réunion'), ('06', 'Mayotte'), ('com', "Collectivités d'outre-mer"), ('abroad', 'Hors de France')], max_length=8, verbose_name='région')),
                        ('is_demo', models.BooleanField(default=False, verbose_name='donnée de démonstration')),
                        ('description_fr', models.TextField(blank=True, verbose_name='présentation (français)')),
                        ('description_en', models.TextField(blank=True, verbose_name='présentation (anglais)')),
                        ('website', models.URLField(blank=True, verbose_name='site web')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('members', models.ManyToManyField(related_name='organisations', through='organisations.Membership', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'organisation',
                        'verbose_name_plural': 'organisations',
                        'ordering': ['name'],
                    },
                ),
                migrations.AddField(
                    model_name='membership',
                    name='organisation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='organisations.organisation'),
                ),
                migrations.CreateModel(
                    name='Invitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('email', models.EmailField(max_length=254, verbose_name='adresse e-mail')),
                        ('role', models.CharField(choices=[('admin', "Administrateur de l'organisation"), ('member', 'Membre')], default='member', max_length=16, verbose_name='rôle')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('accepted_at', models.DateTimeField(blank=True, null=True)),
                        ('invited_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='organisations.organisation')),
                    ],
                    options={
                        'verbose_name': 'invitation',
                        'verbose_name_plural': 'invitations',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='OrganisationToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='nom')),
                        ('prefix', models.CharField(max_length=12)),
                        ('digest', models.CharField(max_length=64, unique=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('last_used_at', models.DateTimeField(blank=True, null=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to='organisations.organisation')),
                    ],
                    options={
                        'verbose_name': "jeton d'API",
                        'verbose_name_plural': "jetons d'API",
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='membership',
                    constraint=models.UniqueConstraint(fields=('user', 'organisation'), name='unique_membership_per_organisation'),
                ),
                migrations.AddConstraint(
                    model_name='invitation',
                    constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('email'), models.F('organisation'), condition=models.Q(('accepted_at__isnull', True)), name='one_pending_invitation_per_email'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
