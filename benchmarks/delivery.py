"""Benchmark: answering a question in the positioning test, end to end.

Drives complete attempts through Django's test client (session, middleware, API view,
services, engine, database) on the seed bank, and reports per answer the time to record it
and return the next question (median, p95, p99) and the number of SQL queries — on SQLite
and on a PostgreSQL server started for the run. Not a test: no assertion on time.

    python -m benchmarks.delivery [--attempts 20] [--output benchmarks/results/delivery.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "delivery.json"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_child(attempts: int) -> dict:
    """Inside a configured environment: migrate, seed, play `attempts` tests."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0)
    from tests.assessments.conftest import right_answer, wrong_answer

    from palier.accounts.models import User
    from palier.items.models import ItemVersion

    timings, queries, lengths = [], [], []
    for index in range(attempts):
        user = User.objects.create_user(f"bench{index}@example.org", "x" * 16)
        client = Client()
        client.force_login(user)
        state = client.post("/api/v1/assessments", "{}", content_type="application/json").json()
        answered = 0
        while state["status"] != "finished":
            version = ItemVersion.objects.get(pk=state["question"]["version"])
            answer = right_answer(version) if (answered + index) % 3 else wrong_answer(version)
            body = json.dumps({"position": state["position"], "response": answer})
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.post(
                    f"/api/v1/assessments/{state['id']}/answers",
                    body,
                    content_type="application/json",
                )
                timings.append((time.perf_counter() - started) * 1000)
            queries.append(len(captured.captured_queries))
            state = response.json()
            answered += 1
        lengths.append(answered)
    return {
        "database": connection.vendor,
        "attempts": attempts,
        "answers": len(timings),
        "mean_test_length": statistics.mean(lengths),
        "median_ms": statistics.median(timings),
        "p95_ms": percentile(timings, 0.95),
        "p99_ms": percentile(timings, 0.99),
        "max_queries": max(queries),
        "median_queries": statistics.median(queries),
    }


def child_env(database_url: str, var_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "PALIER_DEBUG": "0",
        "PALIER_SECRET_KEY": "benchmark-only",
        "PALIER_ALLOWED_HOSTS": "testserver",
        "PALIER_SSL_REDIRECT": "0",
        "PALIER_VAR_DIR": var_dir,
        "DJANGO_SETTINGS_MODULE": "palier.settings",
        # The checkout's own code first, whatever package the virtualenv has installed.
        "PYTHONPATH": os.pathsep.join((str(ROOT / "src"), str(ROOT))),
    }


def run_module(module: str, arguments: list[str], database_url: str) -> dict:
    """Run a benchmark module in a child process configured for `database_url` (with its own
    var directory); the child prints its result as JSON on its last line."""
    with tempfile.TemporaryDirectory() as var_dir:
        result = subprocess.run(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, "-m", module, *arguments],
            env=child_env(database_url, var_dir),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def spawn(database_url: str, attempts: int) -> dict:
    return run_module("benchmarks.delivery", ["--child", str(attempts)], database_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--attempts", type=int, default=20)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(run_child(options.child)))
        return
    sys.path.insert(0, str(ROOT))
    from tests.support.postgres import TemporaryPostgres

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        rows.append(spawn(f"sqlite:///{folder}/bench.sqlite3", options.attempts))
    server = TemporaryPostgres.start()
    try:
        settings = server.database_settings("postgres")
        rows.append(
            spawn(
                f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/postgres",
                options.attempts,
            )
        )
    finally:
        server.stop()
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(rows, indent=2))
    print(
        "| database | answers | mean test length | median ms | p95 ms | p99 ms | "
        "queries per answer (max) |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['database']} | {row['answers']} | {row['mean_test_length']:.1f} | "
            f"{row['median_ms']:.1f} | {row['p95_ms']:.1f} | {row['p99_ms']:.1f} | "
            f"{row['max_queries']} |"
        )


if __name__ == "__main__":
    main()
