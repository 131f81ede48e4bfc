"""Writes on the framework: publish, freeze, copy into a new version, import from CASE."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.core.errors import ServiceError
from palier.frameworks.case_import import CaseFramework
from palier.frameworks.models import (
    Area,
    Capacity,
    Competence,
    Framework,
    Level,
    TargetLevel,
    code_validator,
)

CODE_LENGTH = Framework._meta.get_field("code").max_length
VERSION_LENGTH = Framework._meta.get_field("version").max_length


@transaction.atomic
def publish_framework(framework: Framework) -> Framework:
    Framework.objects.filter(pk=framework.pk).update(
        status=Framework.Status.PUBLISHED, published_at=timezone.now()
    )
    framework.refresh_from_db()
    return framework


@transaction.atomic
def freeze_framework(framework: Framework) -> None:
    """Mark a version as used by an assessment: from now on its content cannot change.
    Idempotent; called when the first attempt on this version starts."""
    Framework.objects.filter(pk=framework.pk, frozen_at__isnull=True).update(
        frozen_at=timezone.now()
    )
    framework.refresh_from_db(fields=["frozen_at"])


@transaction.atomic
def new_framework_version(source: Framework, version: str) -> Framework:
    """Copy a framework version (frozen or not) into a new draft version `version`."""
    copy = Framework.objects.create(
        code=source.code,
        version=version,
        title_fr=source.title_fr,
        title_en=source.title_en,
        description_fr=source.description_fr,
        description_en=source.description_en,
        source=source.source,
    )
    area_map: dict[int, Area] = {}
    for area in source.areas.prefetch_related("levels", "competences__capacities"):
        new_area = Area.objects.create(
            framework=copy,
            code=area.code,
            number=area.number,
            title_fr=area.title_fr,
            title_en=area.title_en,
            description_fr=area.description_fr,
            description_en=area.description_en,
            reference_hours=area.reference_hours,
        )
        area_map[area.pk] = new_area
        Level.objects.bulk_create(
            Level(
                area=new_area,
                rank=level.rank,
                label_fr=level.label_fr,
                label_en=level.label_en,
                description_fr=level.description_fr,
                description_en=level.description_en,
                min_theta=level.min_theta,
            )
            for level in area.levels.all()
        )
        for competence in area.competences.all():
            new_competence = Competence.objects.create(
                area=new_area,
                code=competence.code,
                position=competence.position,
                title_fr=competence.title_fr,
                title_en=competence.title_en,
                description_fr=competence.description_fr,
                description_en=competence.description_en,
            )
            Capacity.objects.bulk_create(
                Capacity(
                    competence=new_competence,
                    code=capacity.code,
                    position=capacity.position,
                    title_fr=capacity.title_fr,
                    title_en=capacity.title_en,
                    description_fr=capacity.description_fr,
                    description_en=capacity.description_en,
                )
                for capacity in competence.capacities.all()
            )
    TargetLevel.objects.bulk_create(
        TargetLevel(
            framework=copy,
            population_id=target.population_id,
            area=area_map[target.area_id],
            level_rank=target.level_rank,
        )
        for target in source.target_levels.all()
    )
    return copy


@transaction.atomic
def import_case_framework(case: CaseFramework, code: str, version: str) -> Framework:
    """Write a checked CASE package (`case_import.read_case_package`) as a new draft
    framework version `code` `version`, all or nothing. Levels, cut scores and target
    profiles are not part of CASE: the draft has none until an author adds them.
    ServiceError 422 for an invalid code or version, 409 when the version exists."""
    for label, value in ((_("code"), code), (_("version"), version)):
        try:
            code_validator(value)
        except ValidationError as error:
            raise ServiceError(
                422,
                "invalid_code",
                _("%(label)s invalide : %(value)s") % {"label": label, "value": value[:64]},
            ) from error
    if len(code) > CODE_LENGTH or len(version) > VERSION_LENGTH:
        raise ServiceError(422, "invalid_code", _("Code ou version trop long."))
    if Framework.objects.filter(code=code, version=version).exists():
        raise ServiceError(
            409,
            "framework_exists",
            _("La version %(version)s du référentiel %(code)s existe déjà.")
            % {"code": code, "version": version},
        )
    framework = Framework.objects.create(
        code=code,
        version=version,
        title_fr=case.title,
        description_fr=case.description,
        source=case.source,
    )
    for area_node in case.areas:
        area = Area.objects.create(
            framework=framework,
            code=area_node.code,
            number=area_node.position,
            title_fr=area_node.title,
            description_fr=area_node.description,
        )
        for competence_node in area_node.children:
            competence = Competence.objects.create(
                area=area,
                code=competence_node.code,
                position=competence_node.position,
                title_fr=competence_node.title,
                description_fr=competence_node.description,
            )
            Capacity.objects.bulk_create(
                Capacity(
                    competence=competence,
                    code=node.code,
                    position=node.position,
                    title_fr=node.title,
                    description_fr=node.description,
                )
                for node in competence_node.children
            )
    return framework
