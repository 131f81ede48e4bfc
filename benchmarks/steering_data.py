"""National-scale steering dataset, bulk-loaded into PostgreSQL with COPY.

Generates, deterministically from one seed (a numpy Generator): institutions (organisations
with types and regions, overseas included), learners (users and learner profiles:
population, status, region, year of study), one campaign per institution and academic year
with its participations (shared ones with their snapshot, levels and competence signals),
finished positioning attempts whose stored results have the shape `assessments.results`
reads (built through `AttemptResult` and `with_level_reports` on the framework's cut
scores), training plan entries, certification centres, sessions, candidates, jury
decisions and certificates, one funding call with 24 awards (planned learners, campaigns,
modules and sessions attached) and enrolment denominators per institution, population, year
of study and academic year. Every table's generation time is reported.

Sizes scale with `--learners` (1,000,000 by default) and `--scale` (0.01: 10,000 learners);
per learner: 1.5 attempts, 3 plan entries, 0.15 certificates; 400 institutions and 24
awards at full scale. Demo data only: no real person, addresses under `.example`.

    python -m benchmarks.steering_data [--learners 1000000] [--scale 1] [--seed 15]
        [--database-url postgres://...]   # default: a throw-away server started for the run
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from dataclasses import dataclass, field
from itertools import islice, repeat
from typing import Any
from urllib.parse import quote

import numpy as np

from benchmarks.delivery import ROOT

FULL_LEARNERS = 1_000_000
YEARS = (2023, 2024, 2025)
YEAR_SHARES = (0.2, 0.35, 0.45)  # roll-out: attempts and plans grow year by year
ATTEMPTS_PER_LEARNER = 1.5
PLAN_ENTRIES_PER_LEARNER = 3
CERTIFICATES_PER_LEARNER = 0.15
INSTITUTIONS = 400
AWARDS = 24
CALL_BUDGET_EUROS = 122_000_000
CANDIDATES_PER_SESSION = 30
CENTRES = 50
SHARED_SHARE = 0.7  # participations whose result is shared with the institution
ENROLMENT_COVERAGE = 0.8  # generated learners / enrolled learners, per cell
RESULT_POOL = 2000  # distinct stored results (levels and signals) drawn from
STUDENT_SHARE = 0.82
PROFESSIONAL_STATUSES = {"self_employed": 0.33, "public_sector": 0.39, "private_sector": 0.28}
STUDENT_TYPES = {"university": 60, "health_institute": 230, "secondary_institute": 60}
PROFESSIONAL_TYPES = {"continuing_education": 30, "care_structure": 20}
# Regions (accounts.choices.Region codes) weighted by population, overseas included.
REGION_WEIGHTS = {
    "84": 12, "27": 4, "53": 5, "24": 4, "94": 0.5, "44": 8, "32": 9, "11": 18, "28": 5,
    "75": 9, "76": 9, "52": 6, "93": 7.5, "01": 0.6, "02": 0.5, "03": 0.4, "04": 1.3,
    "06": 0.4, "com": 0.3,
}  # fmt: skip
EMAIL_DOMAIN = "national.bench.palier.example"


@dataclass(frozen=True)
class Sizes:
    learners: int
    attempts: int
    plan_entries: int
    certificates: int
    institutions: int
    awards: int = AWARDS

    @classmethod
    def of(cls, learners: int) -> Sizes:
        share = learners / FULL_LEARNERS
        return cls(
            learners=learners,
            attempts=round(learners * ATTEMPTS_PER_LEARNER),
            plan_entries=round(learners * PLAN_ENTRIES_PER_LEARNER),
            certificates=round(learners * CERTIFICATES_PER_LEARNER),
            institutions=max(sum(STUDENT_TYPES.values()) // 10, round(INSTITUTIONS * share))
            if share < 1
            else INSTITUTIONS,
        )


@dataclass
class Report:
    sizes: Sizes
    tables: dict[str, dict[str, float]] = field(default_factory=dict)
    progress: bool = False

    def add(self, name: str, rows: int, seconds: float) -> None:
        entry = self.tables.setdefault(name, {"rows": 0, "seconds": 0.0})
        entry["rows"] += rows
        entry["seconds"] += seconds

    @property
    def seconds(self) -> float:
        return sum(entry["seconds"] for entry in self.tables.values())


def _python(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def copy_rows(report: Report, model: Any, columns: dict[str, Any], count: int) -> None:
    """COPY `count` rows into `model`'s table: `columns` maps attribute names to a sequence
    (or one value for every row); the other columns get their field default (JSON fields
    serialised), or NULL. Ids given explicitly move the table's sequence past them."""
    from django.db import connection

    started = time.perf_counter()
    values: dict[str, Any] = {}
    for model_field in model._meta.concrete_fields:
        name = model_field.attname
        if name in columns:
            given = columns[name]
            values[model_field.column] = given.tolist() if isinstance(given, np.ndarray) else given
        elif model_field.primary_key and not model_field.has_default():
            continue  # the table's sequence numbers it
        elif model_field.has_default() or getattr(model_field, "auto_now_add", False):
            default = model_field.get_default() if model_field.has_default() else _now_text()
            if model_field.get_internal_type() == "JSONField":
                default = json.dumps(default)
            values[model_field.column] = repeat(default)
        elif model_field.null or getattr(model_field, "auto_now", False):
            values[model_field.column] = repeat(None if model_field.null else _now_text())
        elif model_field.get_default() is not None:  # "" for text fields without a default
            values[model_field.column] = repeat(model_field.get_default())
        else:
            raise ValueError(f"{model.__name__}.{name} needs a value")
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in values)
    series = [
        value if isinstance(value, (list, repeat, range)) else repeat(_python(value))
        for value in values.values()
    ]
    with connection.cursor() as cursor:
        # The generator links rows by the ids it gives, so foreign-key triggers are skipped
        # during the load, as `pg_restore --disable-triggers` does (superuser only).
        cursor.execute("SET session_replication_role = replica")
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in islice(zip(*series, strict=False), count):
                copy.write_row(row)
        cursor.execute("SET session_replication_role = DEFAULT")
        if "id" in columns and model._meta.pk.get_internal_type() in {
            "AutoField",
            "BigAutoField",
        }:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",  # noqa: S608 - the model's own table
                [model._meta.db_table],
            )
    report.add(model._meta.db_table, count, time.perf_counter() - started)
    if report.progress:  # one line per COPY, so a long run shows where it is
        print(f"{model._meta.db_table}: {count:,} rows in {time.perf_counter() - started:.1f} s",
              file=sys.stderr, flush=True)  # fmt: skip


def _now_text() -> str:
    from django.utils import timezone

    return timezone.now().isoformat()


def next_id(model: Any) -> int:
    """The first free id of `model`'s table (ids are given explicitly to link rows)."""
    from django.db.models import Max

    return int(model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def moments(rng: np.random.Generator, years: np.ndarray) -> np.ndarray:
    """A random moment (UTC, seconds) inside each academic year of `years`, as datetime64."""
    starts = np.array([f"{year}-09-01" for year in YEARS], dtype="datetime64[s]")
    offsets = rng.integers(0, 364 * 86400, years.size).astype("timedelta64[s]")
    return starts[years] + offsets


def timestamps(values: np.ndarray) -> list[str]:
    return [f"{text}+00" for text in np.datetime_as_string(values, unit="s")]


def weighted(rng: np.random.Generator, weights: dict[str, float], size: int) -> np.ndarray:
    keys = list(weights)
    shares = np.array([weights[key] for key in keys], dtype=float)
    return np.array(keys)[rng.choice(len(keys), size, p=shares / shares.sum())]


def generate(
    sizes: Sizes, seed: int = 15, pool_size: int = RESULT_POOL, progress: bool = False
) -> Report:
    """Load the seeds, then every table of the dataset (PostgreSQL only)."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("the national dataset is bulk-loaded with PostgreSQL's COPY")
    from benchmarks import steering_activity, steering_tables
    from palier.items.models import Calibration

    report = Report(sizes, progress=progress)
    started = time.perf_counter()
    if not Calibration.objects.filter(is_active=True).exists():
        call_command("seed", verbosity=0)
    report.add("(seed: framework, items, catalogue)", 0, time.perf_counter() - started)
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    context = steering_tables.Context.load(rng, sizes, report, pool_size)
    report.add(f"(pool of {pool_size} stored results)", 0, time.perf_counter() - started)
    steering_tables.institutions(context)
    steering_tables.learners(context)
    steering_activity.attempts_and_participations(context)
    steering_tables.plan_entries(context)
    steering_activity.certifications(context)
    steering_activity.awards(context)
    steering_tables.enrolments(context)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    report.add("(analyze)", 0, time.perf_counter() - started)
    return report


def attempt_uuids(rng: np.random.Generator, count: int) -> list[str]:
    raw = rng.integers(0, 256, (count, 16), dtype=np.uint8)
    return [str(uuid.UUID(bytes=row.tobytes(), version=4)) for row in raw]


def server_url(server: Any, name: str = "postgres") -> str:
    """The DATABASE_URL of a TemporaryPostgres (its socket directory, percent-encoded)."""
    settings = server.database_settings(name)
    host = quote(str(settings["HOST"]), safe="")
    return f"postgres://{settings['USER']}@{host}:{settings['PORT']}/{name}"


def print_report(report: Report) -> None:
    print("| table | rows | seconds |\n|---|---|---|")
    for name, entry in report.tables.items():
        print(f"| {name} | {int(entry['rows']):,} | {entry['seconds']:.1f} |")
    print(f"| total | | {report.seconds:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=FULL_LEARNERS)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies --learners")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a "
                        "throw-away server started for the run)")  # fmt: skip
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    learners = max(1, round(options.learners * options.scale))
    if options.child:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        report = generate(Sizes.of(learners), options.seed, progress=True)
        print(json.dumps({"sizes": report.sizes.__dict__, "tables": report.tables}))
        return
    sys.path.insert(0, str(ROOT))
    from tests.support.postgres import TemporaryPostgres

    from benchmarks.delivery import run_module

    arguments = ["--child", "--learners", str(learners), "--seed", str(options.seed)]
    server = None
    url = options.database_url
    if url is None:
        server = TemporaryPostgres.start()
        url = server_url(server)
    try:
        result = run_module("benchmarks.steering_data", arguments, url)
    finally:
        if server is not None:
            server.stop()
    report = Report(Sizes(**result["sizes"]), result["tables"])
    print(f"{learners:,} learners: generated in {report.seconds:.0f} s")
    print_report(report)


if __name__ == "__main__":
    main()
