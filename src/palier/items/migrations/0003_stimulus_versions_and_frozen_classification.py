"""Stimulus texts move into versions; item versions record the stimulus version they show
and the capacity and level they measure.

Every existing stimulus gets version 1 with its current texts, frozen if an item version
that uses it was already shown; every item version points to that version and copies its
item's current capacity and level (the only values it can have meant so far).
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Min


def version_existing_stimuli(apps, schema_editor):
    Stimulus = apps.get_model("items", "Stimulus")
    StimulusVersion = apps.get_model("items", "StimulusVersion")
    ItemVersion = apps.get_model("items", "ItemVersion")
    for stimulus in Stimulus.objects.all():
        uses = ItemVersion.objects.filter(stimulus=stimulus)
        first_seen = uses.aggregate(first=Min("frozen_at"))["first"]
        version = StimulusVersion.objects.create(
            stimulus=stimulus,
            number=1,
            title_fr=stimulus.title_fr,
            title_en=stimulus.title_en,
            content_fr=stimulus.content_fr,
            content_en=stimulus.content_en,
            frozen_at=first_seen,
        )
        uses.update(stimulus_version=version)
    for version in ItemVersion.objects.select_related("item"):
        ItemVersion.objects.filter(pk=version.pk).update(
            capacity_id=version.item.capacity_id, intended_level=version.item.intended_level
        )


def restore_stimulus_texts(apps, schema_editor):
    Stimulus = apps.get_model("items", "Stimulus")
    StimulusVersion = apps.get_model("items", "StimulusVersion")
    for stimulus in Stimulus.objects.all():
        latest = StimulusVersion.objects.filter(stimulus=stimulus).order_by("-number").first()
        if latest is not None:
            Stimulus.objects.filter(pk=stimulus.pk).update(
                title_fr=latest.title_fr,
                title_en=latest.title_en,
                content_fr=latest.content_fr,
                content_en=latest.content_en,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("frameworks", "0001_initial"),
        ("items", "0002_media"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StimulusVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField(verbose_name="version")),
                ("title_fr", models.CharField(max_length=300, verbose_name="titre (français)")),
                ("title_en", models.CharField(blank=True, max_length=300, verbose_name="titre (anglais)")),
                ("content_fr", models.TextField(verbose_name="contenu (français)")),
                ("content_en", models.TextField(blank=True, verbose_name="contenu (anglais)")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("frozen_at", models.DateTimeField(blank=True, null=True, verbose_name="montré pour la première fois le")),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("stimulus", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="versions", to="items.stimulus")),
            ],
            options={
                "verbose_name": "version de mise en situation",
                "verbose_name_plural": "versions de mises en situation",
                "ordering": ["stimulus", "number"],
                "constraints": [models.UniqueConstraint(fields=("stimulus", "number"), name="unique_stimulus_version")],
            },
        ),
        migrations.AlterField(
            model_name="itemversion",
            name="stimulus",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="item_versions", to="items.stimulus", verbose_name="mise en situation"),
        ),
        migrations.AddField(
            model_name="itemversion",
            name="stimulus_version",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="item_versions", to="items.stimulusversion", verbose_name="version de la mise en situation"),
        ),
        migrations.AddField(
            model_name="itemversion",
            name="capacity",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="item_versions", to="frameworks.capacity", verbose_name="capacité"),
        ),
        migrations.AddField(
            model_name="itemversion",
            name="intended_level",
            field=models.PositiveSmallIntegerField(null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name="niveau visé"),
        ),
        migrations.RunPython(version_existing_stimuli, restore_stimulus_texts),
        migrations.AlterField(
            model_name="itemversion",
            name="capacity",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="item_versions", to="frameworks.capacity", verbose_name="capacité"),
        ),
        migrations.AlterField(
            model_name="itemversion",
            name="intended_level",
            field=models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name="niveau visé"),
        ),
        migrations.AddConstraint(
            model_name="itemversion",
            constraint=models.CheckConstraint(condition=models.Q(("intended_level__gte", 1), ("intended_level__lte", 5)), name="item_version_level_in_scale"),
        ),
        migrations.RemoveField(model_name="stimulus", name="title_fr"),
        migrations.RemoveField(model_name="stimulus", name="title_en"),
        migrations.RemoveField(model_name="stimulus", name="content_fr"),
        migrations.RemoveField(model_name="stimulus", name="content_en"),
    ]
