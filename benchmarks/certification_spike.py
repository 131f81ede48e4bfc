"""Benchmark: the exam-start spike of one certification session, on PostgreSQL.

A PostgreSQL server is started for the run (as ``benchmarks/delivery.py`` does) and a child
process migrates it, loads the seed with an estimated calibration (the certification test
factories' ``estimated_bank``) and enrols ``--candidates`` (default 300) in one open session.
Each candidate starts at a random moment within ``--window`` seconds (default 10): joins with
the session code from a device, is authorised by the invigilator and starts the test; then
answers ``--answers`` questions (default 6; 0: the whole test), each after a think time drawn
uniformly between half and one and a half times ``--think`` seconds (default 30, nearly three
times the pace of a real test: 32 questions in 45 minutes is 84 s a question). Every answer
carries an answer id; one in ``--resend`` answers (default 10) is sent a second time with the
same id, as a browser retrying after a lost response would.

Each candidate drives the candidate API through Django's test client, as the delivery
benchmark does (session, middleware, API view, services, engine, database): ``POST
/api/v1/certification/join`` with the code, the invigilator's authorisation (the service
``authorise``, the supervision page's action), ``POST .../start``, then ``POST .../answers``.
Requests run on a pool of ``--workers`` threads (default 16) with one database connection
each, like a threaded server; a request waits in the pool's queue when every thread is busy,
and its latency counts from the moment the candidate sends it. Reported: start latency (join,
authorisation and start together), answer latency (median, p95, p99, max), errors by code, and
whether every answer is stored exactly once (responses in the database against answers
accepted; a resent answer must be accepted again without a second row).

    python -m benchmarks.certification_spike [--candidates 300] [--window 10] [--answers 8]

Writes benchmarks/results/certification_spike.json. Not a test: no assertion on time.
"""

from __future__ import annotations

import argparse
import heapq
import json
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.delivery import percentile, run_module

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "certification_spike.json"
SEED = 300


@dataclass
class Sitter:
    """One candidate's client: what their browser knows."""

    index: int
    client: Any
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    candidate_id: int | None = None
    state: dict[str, Any] = field(default_factory=dict)
    answered: int = 0
    done: bool = False


def prepare(count: int) -> tuple[Any, Any, list[Sitter]]:
    """Seed, estimated calibration, one open session with `count` enrolled candidates."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone
    from tests.certification.factories import estimated_bank, make_centre, make_session
    from tests.factories import make_user

    from palier.accounts.models import LearnerProfile, User
    from palier.assessments.engine_adapter import bank_snapshot
    from palier.certification.models import Candidate
    from palier.frameworks.queries import current_framework

    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0)
    framework = current_framework()
    calibration = estimated_bank(framework)
    # A running server has already built the bank for the session's pages: warm its cache.
    bank_snapshot(calibration)
    session = make_session(make_centre(), framework, expected_candidates=count)
    invigilator = make_user("surveillance@example.org")
    now = timezone.now()
    # Accounts without a usable password: hashing 300 passwords would only slow the set-up.
    unusable = make_password(None)
    User.objects.bulk_create(
        User(email=f"candidat{index:04d}@example.org", password=unusable, email_confirmed_at=now)
        for index in range(count)
    )
    users = list(User.objects.filter(email__startswith="candidat").order_by("email"))
    LearnerProfile.objects.bulk_create(LearnerProfile(user=user) for user in users)
    Candidate.objects.bulk_create(Candidate(session=session, user=user) for user in users)
    sitters = []
    for index, user in enumerate(users):
        sitter = Sitter(index, None)
        sitter.client = Client(headers={"X-Palier-Device": sitter.token})
        sitter.client.force_login(user)  # signed in before the session starts
        sitters.append(sitter)
    return session, invigilator, sitters


class RefusedError(Exception):
    """A request answered with an error status (the message: status and code)."""


class Spike:
    """Runs the candidates' requests on a thread pool, at their due times."""

    def __init__(self, options: argparse.Namespace, session: Any, invigilator: Any) -> None:
        self.options = options
        self.session = session
        self.invigilator = invigilator
        self.rng = np.random.default_rng(SEED)
        self.lock = threading.Lock()
        self.wake = threading.Condition(self.lock)
        self.queue: list[tuple[float, int, Sitter]] = []
        self.running = 0
        self.start_ms: list[float] = []
        self.answer_ms: list[float] = []
        self.errors: Counter[str] = Counter()
        self.accepted = 0
        self.resent = 0
        self.replays = 0
        self.sent = 0

    def think(self) -> float:
        with self.lock:
            return float(self.rng.uniform(0.5, 1.5) * self.options.think)

    def schedule(self, due: float, sitter: Sitter) -> None:
        with self.wake:
            heapq.heappush(self.queue, (due, sitter.index, sitter))
            self.wake.notify()

    def step(self, due: float, sitter: Sitter) -> None:
        from django.db import close_old_connections

        close_old_connections()
        try:
            if sitter.candidate_id is None:
                self.begin(due, sitter)
            else:
                self.answer(due, sitter)
        except RefusedError as error:
            with self.lock:
                self.errors[str(error)] += 1
            sitter.done = True
        except Exception as error:  # a benchmark counts every failure
            with self.lock:
                self.errors[type(error).__name__] += 1
            sitter.done = True
        if not sitter.done:
            self.schedule(time.perf_counter() + self.think(), sitter)
        with self.wake:
            self.running -= 1
            self.wake.notify()

    def post(self, sitter: Sitter, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = sitter.client.post(
            f"/api/v1/certification/{path}", json.dumps(body), content_type="application/json"
        )
        if response.status_code != 200:
            code = response.json().get("error", {}).get("code", "")
            raise RefusedError(f"{response.status_code} {code}")
        return response.json()

    def begin(self, due: float, sitter: Sitter) -> None:
        from palier.certification import services
        from palier.certification.models import Candidate

        state = self.post(sitter, "join", {"code": self.session.access_code})
        sitter.candidate_id = state["id"]
        services.authorise(Candidate(pk=sitter.candidate_id), self.invigilator)
        sitter.state = self.post(sitter, f"candidacies/{sitter.candidate_id}/start", {})
        elapsed = (time.perf_counter() - due) * 1000
        with self.lock:
            self.start_ms.append(elapsed)

    def answer(self, due: float, sitter: Sitter) -> None:
        from tests.assessments.conftest import right_answer, wrong_answer

        from palier.items.models import ItemVersion

        # What the candidate's page shows: the current question (not timed).
        version = ItemVersion.objects.get(pk=sitter.state["question"]["version"])
        right = (sitter.index + sitter.answered) % 3
        body = {
            "position": sitter.state["position"],
            "response": right_answer(version) if right else wrong_answer(version),
            "answer_id": str(uuid.uuid4()),
        }
        path = f"candidacies/{sitter.candidate_id}/answers"
        started = time.perf_counter()
        state = self.post(sitter, path, body)
        elapsed = (time.perf_counter() - min(due, started)) * 1000
        sitter.answered += 1
        with self.lock:
            self.sent += 1
            self.accepted += 1
            self.answer_ms.append(elapsed)
        if (sitter.index + sitter.answered) % self.options.resend == 0:
            again = self.post(sitter, path, body)  # refused with a 4xx if not idempotent
            with self.lock:
                self.sent += 1
                self.resent += 1
                self.replays += again["position"] == state["position"]
        sitter.state = state
        limit = self.options.answers
        if state["question"] is None or (limit and sitter.answered >= limit):
            sitter.done = True

    def run(self, sitters: list[Sitter]) -> float:
        starts = np.sort(self.rng.uniform(0.0, self.options.window, len(sitters)))
        origin = time.perf_counter()
        for offset, sitter in zip(starts, sitters, strict=True):
            heapq.heappush(self.queue, (origin + float(offset), sitter.index, sitter))
        with ThreadPoolExecutor(max_workers=self.options.workers) as pool:
            while True:
                with self.wake:
                    while True:
                        if not self.queue and not self.running:
                            return time.perf_counter() - origin
                        now = time.perf_counter()
                        if self.queue and self.queue[0][0] <= now:
                            due, _, sitter = heapq.heappop(self.queue)
                            self.running += 1
                            break
                        wait = self.queue[0][0] - now if self.queue else None
                        self.wake.wait(wait)
                pool.submit(self.step, due, sitter)


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "count": len(values),
        "median_ms": round(statistics.median(values), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "p99_ms": round(percentile(values, 0.99), 1),
        "max_ms": round(max(values), 1),
    }


def run_child(options: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection

    from palier.assessments.models import Response
    from palier.certification.models import Candidate

    session, invigilator, sitters = prepare(options.candidates)
    spike = Spike(options, session, invigilator)
    seconds = spike.run(sitters)
    attempts = Candidate.objects.filter(session=session, attempt__isnull=False)
    started = attempts.count()
    stored = Response.objects.filter(attempt_id__in=attempts.values("attempt_id")).count()
    return {
        "database": connection.vendor,
        "candidates": options.candidates,
        "started": started,
        "window_seconds": options.window,
        "think_seconds": options.think,
        "answers_per_candidate": options.answers,
        "workers": options.workers,
        "wall_seconds": round(seconds, 1),
        "start": summary(spike.start_ms),
        "answer": summary(spike.answer_ms),
        "answers_per_second": round(len(spike.answer_ms) / seconds, 1),
        "errors": dict(spike.errors),
        "requests_sent": spike.sent,
        "answers_accepted": spike.accepted,
        "answers_resent": spike.resent,
        "resent_replayed": spike.replays,
        "responses_stored": stored,
        "stored_exactly_once": stored == spike.accepted and spike.replays == spike.resent,
    }


def markdown(row: dict[str, Any]) -> str:
    lines = [
        "| requests | count | median ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|",
    ]
    for label, key in (("start (join, authorise, start)", "start"), ("answer", "answer")):
        figures = row[key]
        if figures:
            lines.append(
                f"| {label} | {figures['count']} | {figures['median_ms']:.0f} | "
                f"{figures['p95_ms']:.0f} | {figures['p99_ms']:.0f} | {figures['max_ms']:.0f} |"
            )
    lines += [
        "",
        f"{row['started']} of {row['candidates']} candidates started; errors: "
        f"{row['errors'] or 'none'}; answers accepted {row['answers_accepted']}, responses "
        f"stored {row['responses_stored']}, resent {row['answers_resent']} (replayed "
        f"{row['resent_replayed']}): stored exactly once: "
        f"{'yes' if row['stored_exactly_once'] else 'NO'}; {row['answers_per_second']} "
        f"answers per second over {row['wall_seconds']} s.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--window", type=float, default=10.0, help="seconds for all starts")
    parser.add_argument("--answers", type=int, default=6, help="per candidate (0: whole test)")
    parser.add_argument("--think", type=float, default=30.0, help="mean seconds per question")
    parser.add_argument("--resend", type=int, default=10, help="one answer in N sent twice")
    parser.add_argument("--workers", type=int, default=16, help="server threads")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(run_child(options)))
        return
    sys.path.insert(0, str(ROOT))
    from tests.support.postgres import TemporaryPostgres

    arguments = [
        "--child",
        *("--candidates", str(options.candidates), "--window", str(options.window)),
        *("--answers", str(options.answers), "--think", str(options.think)),
        *("--resend", str(options.resend), "--workers", str(options.workers)),
    ]
    server = TemporaryPostgres.start()
    try:
        settings = server.database_settings("postgres")
        row = run_module(
            "benchmarks.certification_spike",
            arguments,
            # TCP: the server's socket directory cannot be written in a URL's host.
            f"postgres://{settings['USER']}@127.0.0.1:{settings['PORT']}/postgres",
        )
    finally:
        server.stop()
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(row, indent=2) + "\n")
    print(markdown(row))


if __name__ == "__main__":
    main()
