"""Benchmark: the staff dashboards of a campaign with thousands of participants.

Builds a database (SQLite, then a PostgreSQL server started for the run) with the seed
framework and training catalogue, one organisation whose main campaign has `--participants`
generated participations (and shared learning plans for the learners who share them), plus
two smaller campaigns for the overview. A signed-in member of the organisation then requests
each page through Django's test client (middleware, view, queries, template): a few warm-up
requests, then `--requests` timed ones. Reports the median and p95 server time per page and
its number of SQL queries. Not a test: no assertion on time.

    python -m benchmarks.campaigns [--participants 5000] [--requests 20]
        [--output benchmarks/results/campaigns.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from benchmarks.delivery import ROOT, percentile, run_module

RESULTS = ROOT / "benchmarks" / "results" / "campaigns.json"
WARM_UP = 3
SMALL_CAMPAIGN = 500  # participants of each of the two other campaigns (overview)
PLAN_MODULES = 3  # modules in the plan of each learner who shares it
TARGET_MS = 300


def build(participants: int) -> dict:
    """The organisation, its member and campaigns; returns the URLs to time."""
    import numpy as np
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    from palier.accounts.choices import MembershipRole, OrganisationType
    from palier.accounts.models import Organisation, User
    from palier.accounts.services import add_member
    from palier.campaigns.generate import generate_participants
    from palier.campaigns.models import Campaign, Participation
    from palier.campaigns.services import create_campaign
    from palier.frameworks.models import Population
    from palier.frameworks.seed import load_framework_seed
    from palier.training.models import Module, PlanEntry
    from palier.training.seed import load_catalogue_seed

    framework = load_framework_seed().framework
    load_catalogue_seed(framework)
    organisation = Organisation.objects.create(
        name="IFSI du banc d'essai",
        slug="banc-essai",
        type=OrganisationType.HEALTH_TRAINING_INSTITUTE,
    )
    member = User.objects.create_user("membre@banc-essai.example", "x" * 16)
    add_member(organisation, member, MembershipRole.MEMBER)
    populations = list(
        Population.objects.filter(code__in=["soins-infirmiers", "aide-soignant", "maieutique"])
    )
    today = timezone.localdate()

    def campaign(name: str, opens_days_ago: int, lasts: int) -> Campaign:
        opens_on = today - timedelta(days=opens_days_ago)
        return create_campaign(
            organisation,
            member,
            {
                "framework": framework,
                "name": name,
                "purpose": "Banc d'essai des tableaux de bord.",
                "kind": Campaign.Kind.ASSESSMENT,
                "areas": ["D1", "D2", "D3", "D4", "D5"],
                "target_population": None,
                "opens_on": opens_on,
                "closes_on": opens_on + timedelta(days=lasts),
                "external_id_label": "Numéro étudiant",
                "sharing": Campaign.Sharing.CONSENT,
            },
            populations,
        )

    main = campaign("Promotion principale", 60, 120)
    started = time.perf_counter()
    generate_participants(main, participants, seed=1, populations=populations)
    generation_s = time.perf_counter() - started
    for index, days in enumerate((400, 760)):
        other = campaign(f"Campagne antérieure {index + 1}", days, 60)
        generate_participants(other, SMALL_CAMPAIGN, seed=2 + index, populations=populations)
    rng = np.random.default_rng(0)
    modules = list(
        Module.objects.filter(status=Module.Status.PUBLISHED).values_list("pk", flat=True)
    )
    progress = ["planned", "started", "completed"]
    PlanEntry.objects.bulk_create(
        (
            PlanEntry(user_id=user_id, module_id=int(module_id), progress=str(rng.choice(progress)))
            for user_id in Participation.objects.filter(
                campaign=main, plan_shared=True
            ).values_list("user_id", flat=True)
            for module_id in rng.choice(modules, PLAN_MODULES, replace=False)
        ),
        batch_size=2000,
    )
    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum would
        cursor.execute("ANALYZE")
    shared = Participation.objects.filter(campaign=main, status="shared").order_by("pk")
    middle = shared[shared.count() // 2]
    slug = organisation.slug
    participants_url = reverse("organisations:participants", args=[slug, main.pk])
    return {
        "member_id": member.pk,
        "generation_s": generation_s,
        "shared": shared.count(),
        "plans": Participation.objects.filter(campaign=main, plan_shared=True).count(),
        "urls": {
            "dashboard": reverse("organisations:dashboard", args=[slug, main.pk]),
            "dashboard (by year)": reverse("organisations:dashboard", args=[slug, main.pk])
            + "?par=annee",
            "participants": participants_url,
            "participants (last page, shared)": participants_url + "?statut=shared&page=9999",
            "participant": reverse("organisations:participant", args=[slug, main.pk, middle.pk]),
            "overview": reverse("organisations:overview", args=[slug]),
        },
    }


def run_child(participants: int, requests: int) -> dict:
    """Inside a configured environment: migrate, build, time every page."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    # Pages render with the production static storage, whose manifest collectstatic writes.
    call_command("collectstatic", "--no-input", verbosity=0)
    built = build(participants)
    from palier.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=built["member_id"]))
    pages = []
    for page, url in built["urls"].items():
        for _ in range(WARM_UP):
            assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        queries = len(captured.captured_queries)  # read now: the next request resets the log
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
        pages.append(
            {
                "page": page,
                "median_ms": statistics.median(timings),
                "p95_ms": percentile(timings, 0.95),
                "max_ms": max(timings),
                "queries": queries,
            }
        )
    return {
        "database": connection.vendor,
        "participants": participants,
        "shared": built["shared"],
        "plans_shared": built["plans"],
        "generation_s": built["generation_s"],
        "requests": requests,
        "pages": pages,
    }


def spawn(database_url: str, participants: int, requests: int) -> dict:
    arguments = ["--child", str(participants), "--requests", str(requests)]
    return run_module("benchmarks.campaigns", arguments, database_url)


def table(runs: list[dict]) -> str:
    lines = [
        "| database | page | median ms | p95 ms | queries |",
        "|---|---|---|---|---|",
    ]
    for run in runs:
        for page in run["pages"]:
            lines.append(
                f"| {run['database']} | {page['page']} | {page['median_ms']:.1f} | "
                f"{page['p95_ms']:.1f} | {page['queries']} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(run_child(options.child, options.requests)))
        return
    sys.path.insert(0, str(ROOT))
    from tests.support.postgres import TemporaryPostgres

    runs = []
    with tempfile.TemporaryDirectory() as folder:
        runs.append(
            spawn(f"sqlite:///{folder}/bench.sqlite3", options.participants, options.requests)
        )
    server = TemporaryPostgres.start()
    try:
        settings = server.database_settings("postgres")
        url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/postgres"
        runs.append(spawn(url, options.participants, options.requests))
    finally:
        server.stop()
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(runs, indent=2))
    for run in runs:
        print(
            f"{run['database']}: {run['participants']} participants ({run['shared']} shared, "
            f"{run['plans_shared']} plans shared), generated in {run['generation_s']:.1f} s"
        )
    print(table(runs))
    slow = [
        (run["database"], page["page"])
        for run in runs
        for page in run["pages"]
        if run["database"] == "postgresql" and page["p95_ms"] >= TARGET_MS
    ]
    print(f"PostgreSQL target p95 < {TARGET_MS} ms: " + ("met" if not slow else f"missed {slow}"))


if __name__ == "__main__":
    main()
