"""Benchmark: a calibration draft at national scale, through the background task, on PostgreSQL.

Loads the engine benchmark's national-scale data (2,000,000 learners x 400 items, 30 answers
each: 60,000,000 responses, `benchmarks/data.py`) into a PostgreSQL server started for the
run, as finished attempts on 400 items of the seed bank. Then a psychometrician starts a
calibration run (`psychometrics.services.start_calibration_run`) and `palier db_worker`
executes it, as in production. Reported: the time from "start" to "draft ready", the time of
each phase of the run (its summary), and the worker's peak resident memory. Loading the data
is not part of the measure (its time is printed apart). Not a test: no assertion on time.

    python -m benchmarks.calibration_task [--persons 2000000] [--items 400] [--per-person 30]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "calibration_task.json"
COPY_CHUNK = 2_000_000
BINARY_HEADER = b"PGCOPY\n\xff\r\n\0" + b"\0\0\0\0" + b"\0\0\0\0"
# One row of the staging table in PostgreSQL's binary COPY format: field count, then each
# field's length and big-endian value (person int4, item int4, position int4, correct bool).
ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("person_size", ">i4"),
        ("person", ">i4"),
        ("item_size", ">i4"),
        ("item", ">i4"),
        ("position_size", ">i4"),
        ("position", ">i4"),
        ("correct_size", ">i4"),
        ("correct", "u1"),
    ]
)


def binary_rows(
    person: np.ndarray, item: np.ndarray, position: np.ndarray, correct: np.ndarray
) -> bytes:
    rows = np.empty(person.size, dtype=ROW)
    rows["fields"] = 4
    rows["person_size"] = rows["item_size"] = rows["position_size"] = 4
    rows["correct_size"] = 1
    rows["person"], rows["item"], rows["position"] = person, item, position
    rows["correct"] = correct
    return rows.tobytes()


def load(persons: int, n_items: int, per_person: int, cursor: Any) -> dict[str, Any]:
    """Create the seed bank, `persons` learners with one finished attempt each, and their
    responses, straight into PostgreSQL (bulk load: indexes rebuilt after the insert)."""
    from django.core.management import call_command

    from benchmarks.data import make_items, make_responses
    from palier.assessments.services import current_settings
    from palier.items.models import Calibration, ItemVersion

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0)
    calibration = Calibration.objects.get(is_active=True)
    versions = list(
        ItemVersion.objects.filter(parameters__calibration=calibration)
        .order_by("item__code", "number")
        .values_list("pk", flat=True)[:n_items]
    )
    if len(versions) < n_items:
        raise SystemExit(f"the seed bank has {len(versions)} items, fewer than {n_items}")
    settings = current_settings()
    cursor.execute(
        "INSERT INTO accounts_user (password, is_superuser, email, first_name, last_name,"
        " pseudonym, is_active, is_staff, date_joined, email_confirmed_at)"
        " SELECT '!', false, 'national-' || g || '@bench.invalid', '', '', gen_random_uuid(),"
        " false, false, now(), now() FROM generate_series(1, %s) g",
        [persons],
    )
    # Profiles spread over the seed's populations and the four situations, so that DIF by
    # population and by situation runs at scale as it would on real data.
    cursor.execute("SELECT id FROM frameworks_population ORDER BY id")
    populations = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "INSERT INTO accounts_learnerprofile (user_id, population_id, status, region,"
        " extra_time, uses_screen_reader, updated_at)"
        " SELECT id, (%s::int[])[1 + id %% %s],"
        " (ARRAY['student', 'self_employed', 'public_sector', 'private_sector'])[1 + id %% 4],"
        " '', false, false, now() FROM accounts_user WHERE email LIKE 'national-%%'",
        [populations, len(populations)],
    )
    cursor.execute(
        "CREATE UNLOGGED TABLE bench_attempt AS SELECT (row_number() OVER (ORDER BY id) - 1)::int"
        " AS idx, gen_random_uuid() AS id, id AS user_id FROM accounts_user"
        " WHERE email LIKE 'national-%%'"
    )
    cursor.execute(
        "INSERT INTO assessments_attempt (id, user_id, framework_id, calibration_id,"
        " engine_settings_id, areas, language, accommodations, pretest_positions,"
        " excluded_items, seed, status, current_position, progress, started_at, finished_at,"
        " stop_reason, synthetic)"
        " SELECT id, user_id, %s, %s, %s, '[]', 'fr', '{}', '[]', '[]', idx, 'finished', %s,"
        " '{}', now() - interval '1 day', now() - interval '1 day', 'max_items', false"
        " FROM bench_attempt",
        [calibration.framework_id, calibration.pk, settings.pk, per_person + 1],
    )
    cursor.execute("CREATE UNLOGGED TABLE bench_item (idx int PRIMARY KEY, version_id int)")
    cursor.executemany("INSERT INTO bench_item VALUES (%s, %s)", list(enumerate(versions)))
    cursor.execute(
        "CREATE UNLOGGED TABLE bench_answer (person int, item int, position int, correct bool)"
    )
    discrimination, difficulty = make_items(n_items, seed=1)
    person, item, correct = make_responses(discrimination, difficulty, persons, per_person, seed=2)
    position = np.tile(np.arange(1, per_person + 1, dtype=np.int32), persons)
    with cursor.copy("COPY bench_answer FROM STDIN WITH (FORMAT binary)") as copy:
        copy.write(BINARY_HEADER)
        for start in range(0, person.size, COPY_CHUNK):
            span = slice(start, start + COPY_CHUNK)
            copy.write(binary_rows(person[span], item[span], position[span], correct[span]))
        copy.write(b"\xff\xff")
    del person, item, correct, position
    generated = time.perf_counter() - started
    # Bulk load as PostgreSQL's documentation advises: drop the response table's indexes and
    # constraints, insert, then create them again.
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = 'assessments_response'::regclass AND contype IN ('u', 'f', 'c')"
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'assessments_response'"
        " AND indexname NOT IN (SELECT conname FROM pg_constraint"
        " WHERE conrelid = 'assessments_response'::regclass)"
    )
    indexes = cursor.fetchall()
    for name, _definition in constraints:
        cursor.execute(f'ALTER TABLE assessments_response DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute(
        "INSERT INTO assessments_response (attempt_id, position, item_version_id, correct,"
        " credit, shown_at, answered_at, timed_out, pretest, discrimination, difficulty,"
        " theta, se)"
        " SELECT a.id, s.position, i.version_id, s.correct, s.correct::int,"
        " now() - interval '1 day', now() - interval '1 day', false, false, 1.0, 0.0,"
        " '{}', '{}' FROM bench_answer s JOIN bench_attempt a ON a.idx = s.person"
        " JOIN bench_item i ON i.idx = s.item"
    )
    for _name, definition in indexes:
        cursor.execute(definition)
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE assessments_response ADD CONSTRAINT "{name}" {definition}')
    cursor.execute("DROP TABLE bench_answer, bench_attempt, bench_item")
    cursor.execute("ANALYZE")
    cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('assessments_response'))")
    size = cursor.fetchone()[0]
    return {
        "framework_id": calibration.framework_id,
        "generate_and_copy_seconds": round(generated, 1),
        "load_seconds": round(time.perf_counter() - started, 1),
        "response_table_size": size,
    }


def run_child(persons: int, n_items: int, per_person: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET work_mem = '256MB'")
        loaded = load(persons, n_items, per_person, cursor.cursor)
    if os.environ.get("BENCH_LOAD_ONLY"):
        return loaded
    from tests.factories import make_user

    from palier.accounts.roles import Role
    from palier.frameworks.models import Framework
    from palier.psychometrics.models import CalibrationRun
    from palier.psychometrics.services import start_calibration_run

    psychometrician = make_user("psychometrician@bench.invalid", roles=(Role.PSYCHOMETRICIAN,))
    framework = Framework.objects.get(pk=loaded["framework_id"])
    started = time.perf_counter()
    run = start_calibration_run(psychometrician, framework, scope=CalibrationRun.Scope.ALL)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "palier",
            "db_worker",
            "--max-tasks",
            "1",
            "--no-startup-delay",
            "--interval",
            "0.2",
        ],
        check=True,
        env=os.environ,
    )
    elapsed = time.perf_counter() - started
    run.refresh_from_db()
    return {
        **loaded,
        "persons": persons,
        "items": n_items,
        "responses": persons * per_person,
        "status": run.status,
        "error": run.error,
        "start_to_ready_seconds": round(elapsed, 1),
        "worker_peak_rss_mb": round(
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
        ),
        "phases": (run.summary or {}).get("seconds", {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=2_000_000)
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--per-person", type=int, default=30)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(run_child(options.persons, options.items, options.per_person)))
        return
    sys.path.insert(0, str(ROOT))
    from tests.support.postgres import TemporaryPostgres

    from benchmarks.delivery import child_env

    server = TemporaryPostgres.start()
    try:
        database = server.database_settings("postgres")
        url = f"postgres://{database['USER']}@127.0.0.1:{database['PORT']}/postgres"
        with tempfile.TemporaryDirectory() as var_dir:
            environment = {**child_env(url, var_dir), "PALIER_TASKS_BACKEND": "database"}
            result = subprocess.run(  # noqa: S603 - our own module, fixed arguments
                [
                    sys.executable,
                    "-m",
                    "benchmarks.calibration_task",
                    "--child",
                    "--persons",
                    str(options.persons),
                    "--items",
                    str(options.items),
                    "--per-person",
                    str(options.per_person),
                ],
                env=environment,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
    finally:
        server.stop()
    if result.returncode != 0:
        raise SystemExit(result.stderr[-4000:])
    row = json.loads(result.stdout.strip().splitlines()[-1])
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(row, indent=2))
    print(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
