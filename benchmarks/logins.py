"""Benchmark: concurrent logins against a real HTTP server, per password-hashing setting.

Starts a multi-threaded WSGI server in a child process on a fresh SQLite database, creates
the accounts with the hasher under test, then signs them all in at once (one thread per
person: fetch the login page, post the form) and reports logins per second and the latency
of the login POST (median, p95). Compares Django's default Argon2 (100 MiB, t=2, p=8) with
Palier's (19 MiB, t=2, p=1). Not a test: no assertion on time.

    python -m benchmarks.logins [--concurrent 30] [--output benchmarks/results/logins.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "logins.json"
HASHERS = {
    "django-argon2-100MiB": "django.contrib.auth.hashers.Argon2PasswordHasher",
    "palier-argon2-19MiB": "palier.accounts.hashers.PalierArgon2PasswordHasher",
}
PASSWORD = "correct horse battery staple"  # noqa: S105 - benchmark accounts only
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def log_in(base: str, email: str) -> float:
    """One person signs in; returns the seconds taken by the login POST."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{base}/compte/connexion/").read().decode()
    form = {"csrfmiddlewaretoken": TOKEN.search(page).group(1), "username": email}
    form["password"] = PASSWORD
    request = urllib.request.Request(  # noqa: S310 - our own http:// server
        f"{base}/compte/connexion/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": f"{base}/compte/connexion/"},
    )
    started = time.perf_counter()
    with opener.open(request) as response:
        final_url = response.geturl()
    elapsed = time.perf_counter() - started
    if "/compte/profil/" not in final_url:
        raise RuntimeError(f"login failed for {email}: ended on {final_url}")
    return elapsed


def run_child(hasher: str, concurrent: int) -> dict:
    """Inside a configured environment: migrate, create accounts, serve, sign in at once."""
    import django

    django.setup()
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.management import call_command
    from django.test import override_settings
    from django.utils import timezone

    from palier.accounts.models import User
    from palier.wsgi import application

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True
        request_queue_size = 128

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    call_command("migrate", verbosity=0)
    with override_settings(PASSWORD_HASHERS=[hasher]):
        emails = [f"bench{index}@example.org" for index in range(concurrent)]
        for email in emails:
            User.objects.create_user(email, PASSWORD, email_confirmed_at=timezone.now())
        server = make_server(
            "127.0.0.1", 0, application, server_class=Server, handler_class=QuietHandler
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        latencies: list[float] = [0.0] * concurrent
        start_together = threading.Barrier(concurrent)

        def person(index: int) -> None:
            start_together.wait()
            latencies[index] = log_in(base, emails[index])

        threads = [threading.Thread(target=person, args=(i,)) for i in range(concurrent)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        server.shutdown()
    return {
        "logins": concurrent,
        "wall_seconds": round(wall, 2),
        "logins_per_second": round(concurrent / wall, 2),
        "median_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=30)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        print(json.dumps(run_child(HASHERS[arguments.child], arguments.concurrent)))
        return
    results = {"cpu_count": os.cpu_count(), "runs": {}}
    for name in HASHERS:
        with tempfile.TemporaryDirectory() as var_dir:
            environment = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "palier.settings",
                "PALIER_DEBUG": "1",
                "PALIER_SECRET_KEY": "benchmark-only",
                "PALIER_VAR_DIR": var_dir,
                "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
            }
            output = subprocess.run(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "benchmarks.logins",
                    "--child",
                    name,
                    "--concurrent",
                    str(arguments.concurrent),
                ],
                env=environment,
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        results["runs"][name] = json.loads(output.strip().splitlines()[-1])
        print(name, results["runs"][name])
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
