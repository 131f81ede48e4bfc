import pytest
from django.core.management import CommandError, call_command

from palier.accounts.demo import DEMO_ACCOUNTS
from palier.accounts.models import User
from palier.accounts.roles import has_role
from palier.campaigns.models import Campaign, Participation
from palier.frameworks.models import Capacity
from palier.organisations.demo import DEMO_ORGANISATION_SLUG
from tests.core.test_settings import palier

pytestmark = pytest.mark.django_db


def test_seed_loads_the_framework_and_demo_accounts_idempotently(settings, capsys):
    settings.DEBUG = True
    call_command("seed", "--demo")
    first = capsys.readouterr().out
    call_command("seed", "--demo")
    second = capsys.readouterr().out
    assert "created" in first and "reused" in second and "created" not in second.split("\n", 1)[1]
    # The demo accounts, and the generated participants of the two demo campaigns.
    assert User.objects.exclude(participations__isnull=False).count() == len(DEMO_ACCOUNTS)
    campaigns = Campaign.objects.filter(organisation__slug=DEMO_ORGANISATION_SLUG)
    assert campaigns.count() == 2
    assert Participation.objects.filter(campaign__in=campaigns, status="shared").count() > 300
    assert Capacity.objects.count() >= 60
    admin = User.objects.get(email__startswith="admin@")
    assert has_role(admin, "administrator") and admin.check_password("demo-palier-2026")


def test_demo_accounts_are_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="PALIER_DEBUG=1"):
        call_command("seed", "--demo")
    assert User.objects.count() == 0


def test_the_palier_console_command_wraps_django_management(tmp_path):
    result = palier("help", "seed", env={"PALIER_DEBUG": "1"}, var_dir=tmp_path)
    assert result.returncode == 0 and "--demo" in result.stdout
    unknown = palier("no-such-command", env={"PALIER_DEBUG": "1"}, var_dir=tmp_path)
    assert unknown.returncode != 0 and "Unknown command" in unknown.stderr
