"""The integrations' status page of the management site."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from palier.accounts.roles import Role
from palier.integrations import status
from palier.integrations.status import IntegrationStatus
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_integration(monkeypatch):
    line = IntegrationStatus(
        name="LRS de l'université",
        configured=True,
        last_success=dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC),
        last_error=dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC),
        last_error_message="HTTP 503",
    )
    monkeypatch.setattr(status, "_providers", [lambda: [line]])
    return line


def test_administrators_see_every_integration_with_its_last_success_and_error(
    client, one_integration
):
    client.force_login(make_user(roles=(Role.ADMINISTRATOR,), is_staff=True))
    response = client.get(reverse("admin:integrations_status"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "LRS de l&#x27;université" in page
    assert "HTTP 503" in page
    # Who may see the page: tests/accounts/test_role_matrix.py.
