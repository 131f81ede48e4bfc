"""The management site's headers for training's models are translatable words, not field
names Django would show in English capitals ("UPDATED AT", "COMPLETED AT")."""

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.functional import Promise

from palier.accounts.roles import Role
from tests.factories import make_user


@pytest.mark.parametrize("model", list(apps.get_app_config("training").get_models()))
def test_every_field_of_training_has_a_translatable_label(model):
    unlabelled = [
        field.name
        for field in model._meta.get_fields()
        if not field.auto_created and not isinstance(field.verbose_name, Promise)
    ]
    assert unlabelled == []


@pytest.mark.django_db
def test_the_moderation_list_shows_headers_in_the_pages_language(client, catalogue):
    client.force_login(make_user(roles=(Role.ADMINISTRATOR,), is_staff=True, is_superuser=True))
    french = client.get(reverse("admin:training_module_changelist")).content.decode()
    assert "Titre (français)" in french and "Durée (heures)" in french
    english = client.get("/en" + reverse("admin:training_module_changelist")).content.decode()
    assert "Title (French)" in english and "Duration (hours)" in english
