"""Benchmark: national steering at national scale (1,000,000 learners over 3 academic years).

Generates the national dataset on PostgreSQL (benchmarks/steering_data.py), or reuses the
one already in the database given by `--database-url`, then times:
(a) the refresh of the steering aggregates (`palier.steering.aggregates.refresh()`);
(b) every steering page, award page and export, through Django's test client as a signed-in
    steering user, with warm caches (a few requests first) and the filters a user would
    pick: time to the first byte of the response, p50 and p95 over `--requests` runs;
(c) EXPLAIN ANALYZE of the slowest SQL query of each page (printed).
A page or feature missing from this build is reported "not available". Not a test: the
targets (pages < 1 s p95, refresh < 5 min) are reported, never asserted.

    python -m benchmarks.steering [--learners 1000000] [--scale 0.05] [--requests 20]
        [--database-url postgres://...] [--output benchmarks/results/steering.json]
        [--no-refresh]   # time the pages on the summary tables already refreshed
        [--no-exports]   # time the pages only, not the exports they link to
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from benchmarks.delivery import ROOT, percentile
from benchmarks.steering_data import FULL_LEARNERS, Sizes, generate, print_report, server_url

RESULTS = ROOT / "benchmarks" / "results" / "steering.json"
WARM_UP = 3
YEAR = 2025
PAGE_TARGET_MS = 1000
REFRESH_TARGET_S = 300
STEERING_EMAIL = "pilotage@national.bench.palier.example"
# Links of the steering pages that lead to exports (CSV, XLSX, PDF) or award pages.
EXPORT_LINK = re.compile(r'href="(/pilotage/[^"]*(?:export|\.csv|\.xlsx|\.pdf)[^"]*)"')


def dataset_present() -> bool:
    from palier.organisations.models import Organisation

    return Organisation.objects.filter(slug="bench-0001").exists()


def refresh_aggregates() -> dict[str, Any]:
    """(a) Time `palier.steering.aggregates.refresh()`, when this build has it."""
    try:
        from palier.steering.aggregates import refresh
    except ImportError:
        return {"available": False}
    started = time.perf_counter()
    outcome = refresh()
    seconds = time.perf_counter() - started
    return {"available": True, "seconds": seconds, "report": repr(outcome)}


def steering_client() -> Any:
    from django.test import Client

    from palier.accounts.models import RoleAssignment, User
    from palier.accounts.roles import Role

    user, _ = User.objects.get_or_create(email=STEERING_EMAIL, defaults={"password": "!"})
    RoleAssignment.objects.get_or_create(user=user, role=Role.STEERING)
    client = Client()
    client.force_login(user)
    return client


def page_urls() -> dict[str, str]:
    """The pages to time, with the filters a user would pick (the largest population,
    region and institution type, the first programme)."""
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from palier.accounts.models import LearnerProfile
    from palier.organisations.models import Organisation
    from palier.steering.models import Award

    def ranked(queryset: Any, field: str) -> list[str]:
        rows = queryset.values(field).annotate(n=Count("pk")).order_by("-n", field)
        return [str(row[field]) for row in rows] or [""]

    def most_common(queryset: Any, field: str) -> str:
        return ranked(queryset, field)[0]

    profiles = LearnerProfile.objects.exclude(population=None)
    population = most_common(profiles, "population__code")
    regions = ranked(profiles.exclude(region=""), "region")
    kinds = ranked(Organisation.objects.filter(slug__startswith="bench-"), "type")
    region, kind = regions[0], kinds[0]
    award = Award.objects.order_by("code").first()
    base = f"/pilotage/?annee={YEAR}"
    pages = {
        "dashboard": base,
        "dashboard, population": f"{base}&public={population}",
        "dashboard, region": f"{base}&region={region}",
        "dashboard, institution type": f"{base}&type={kind}",
        "dashboard, all filters": base + all_filters(population, regions, kinds),
    }
    if award is not None:
        pages["dashboard, programme"] = f"{base}&programme={award.code}"
        pages["award page"] = f"/pilotage/programmes/{award.code}/?annee={YEAR}"
    # The steering overview that came before the national dashboard, while it exists.
    with suppress(NoReverseMatch):
        pages["steering overview (accounts)"] = reverse("accounts:steering")
    return pages


def all_filters(population: str, regions: list[str], kinds: list[str]) -> str:
    """Population, region and institution type together, on the largest group the dashboard
    may show. A filter that narrows to a group the broader page hides (fewer than 10
    learners, or the complement of one) is refused by design (HTTP 400, "élargissez les
    filtres"), so the most common population with the first allowed (region, type) pair, by
    number of learners and institutions, is timed; the first pair when none is allowed."""
    from palier.steering.filters import FiltersForm

    pairs = [(region, kind) for region in regions[:6] for kind in kinds]
    for region, kind in pairs:
        form = FiltersForm(
            {"annee": str(YEAR), "public": population, "region": region, "type": kind}
        )
        if form.is_valid():
            break
    else:
        region, kind = pairs[0]
    return f"&public={population}&region={region}&type={kind}"


def first_byte(client: Any, url: str) -> tuple[int, float, bytes]:
    """Status, milliseconds to the first byte of the body, and the body (read after)."""
    started = time.perf_counter()
    response = client.get(url)
    if response.streaming:
        chunks = iter(response.streaming_content)
        first = next(chunks, b"")
        elapsed = time.perf_counter() - started
        body = first + b"".join(chunks)
    else:
        elapsed = time.perf_counter() - started
        body = response.content
    return response.status_code, elapsed * 1000, body


def slowest_query_plan(client: Any, url: str) -> dict[str, Any]:
    """(c) The slowest SQL query of one request, and its EXPLAIN ANALYZE."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = list(captured.captured_queries)
    if not queries:
        return {"queries": 0}
    slowest = max(queries, key=lambda query: float(query["time"]))
    plan = ""
    if slowest["sql"].lstrip().upper().startswith(("SELECT", "WITH")):
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {slowest['sql']}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
    return {
        "queries": len(queries),
        "slowest_ms": float(slowest["time"]) * 1000,
        "slowest_sql": slowest["sql"][:2000],
        "plan": plan,
    }


def time_page(client: Any, name: str, url: str, requests: int) -> dict[str, Any]:
    status, _, body = first_byte(client, url)
    if status != 200:
        return {"page": name, "url": url, "available": False, "status": status}
    for _ in range(WARM_UP - 1):
        first_byte(client, url)
    timings = [first_byte(client, url)[1] for _ in range(requests)]
    return {
        "page": name,
        "url": url,
        "available": True,
        "p50_ms": percentile(timings, 0.5),
        "p95_ms": percentile(timings, 0.95),
        "max_ms": max(timings),
        **slowest_query_plan(client, url),
        "links": sorted(
            {html.unescape(link) for link in EXPORT_LINK.findall(body.decode("utf-8", "replace"))}
        ),
    }


def run_child(
    learners: int, requests: int, seed: int, refresh: bool = True, exports: bool = True
) -> dict[str, Any]:
    """Inside a configured environment: migrate, generate (unless present), time."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    generated = None
    if not dataset_present():
        report = generate(Sizes.of(learners), seed)
        generated = {"sizes": report.sizes.__dict__, "tables": report.tables}
    timed = refresh_aggregates() if refresh else {"available": True, "skipped": True}
    result: dict[str, Any] = {"generated": generated, "refresh": timed}
    client = steering_client()
    pages = []
    for name, url in page_urls().items():
        pages.append(time_page(client, name, url, requests))
    links = sorted({link for page in pages for link in page.get("links", ())})
    for link in links if exports else ():
        pages.append(time_page(client, f"export {link.split('?')[0]}", link, requests))
    result["pages"] = pages
    return result


def table(pages: list[dict[str, Any]]) -> str:
    lines = [
        "| page | p50 ms | p95 ms | queries | slowest query ms |",
        "|---|---|---|---|---|",
    ]
    for page in pages:
        if not page["available"]:
            lines.append(f"| {page['page']} | not available (HTTP {page['status']}) | | | |")
            continue
        lines.append(
            f"| {page['page']} | {page['p50_ms']:.0f} | {page['p95_ms']:.0f} | "
            f"{page.get('queries', 0)} | {page.get('slowest_ms', 0):.0f} |"
        )
    return "\n".join(lines)


def print_result(result: dict[str, Any]) -> None:
    from benchmarks.steering_data import Report

    if result["generated"]:
        report = Report(Sizes(**result["generated"]["sizes"]), result["generated"]["tables"])
        print(f"Dataset: {report.sizes.learners:,} learners, generated in {report.seconds:.0f} s")
        print_report(report)
    else:
        print("Dataset: reused from the database")
    refresh = result["refresh"]
    if refresh.get("skipped"):
        print("\nAggregates refresh: not run (--no-refresh: the summary tables were reused)")
    elif refresh["available"]:
        verdict = "met" if refresh["seconds"] < REFRESH_TARGET_S else "not met"
        print(f"\nAggregates refresh: {refresh['seconds']:.1f} s (target < 5 min: {verdict})")
    else:
        print("\nAggregates refresh: not available in this build")
    print()
    print(table(result["pages"]))
    timed = [page for page in result["pages"] if page["available"]]
    slow = [page["page"] for page in timed if page["p95_ms"] >= PAGE_TARGET_MS]
    print(f"\nTarget p95 < {PAGE_TARGET_MS} ms: " + ("met" if not slow else f"missed by {slow}"))
    for page in timed:
        if page.get("plan"):
            print(f"\n### {page['page']}: slowest query ({page['slowest_ms']:.0f} ms)\n")
            print(page["plan"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=FULL_LEARNERS)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies --learners")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--database-url", help="a database holding the dataset, or empty")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--no-refresh", action="store_true", help="time the pages on the "
                        "summary tables already in the database")  # fmt: skip
    parser.add_argument("--no-exports", action="store_true", help="time the pages only, not "
                        "the exports they link to")  # fmt: skip
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    learners = max(1, round(options.learners * options.scale))
    if options.child:
        result = run_child(
            learners, options.requests, options.seed, not options.no_refresh, not options.no_exports
        )
        print(json.dumps(result))
        return
    sys.path.insert(0, str(ROOT))
    from tests.support.postgres import TemporaryPostgres

    from benchmarks.delivery import run_module

    arguments = ["--child", "--learners", str(learners), "--requests", str(options.requests)]
    arguments += ["--seed", str(options.seed)] + (["--no-refresh"] if options.no_refresh else [])
    arguments += ["--no-exports"] if options.no_exports else []
    server = None
    url = options.database_url
    if url is None:
        server = TemporaryPostgres.start()
        url = server_url(server)
    try:
        result = run_module("benchmarks.steering", arguments, url)
    finally:
        if server is not None:
            server.stop()
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(result, indent=2))
    print_result(result)


if __name__ == "__main__":
    main()
