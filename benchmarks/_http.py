"""What the HTTP benchmarks share: a cookie-keeping client, signing in through the login
form, `collegium serve` started as a subprocess, set-up in a child process, and throwaway
PostgreSQL databases.

Used by ``elections_http.py`` and ``referendum_http.py``; not a benchmark itself.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PASSWORD = "bench-pw"
SETTINGS = """\
from collegium.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
"""
POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


class Browser:
    """A minimal cookie-keeping HTTP client (one connection per request, like a
    browser's fresh tab: waitress's threads are what is being measured)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = {"Host": f"{self.host}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
            headers["Origin"] = f"http://{self.host}:{self.port}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, text


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(browser: Browser, username: str, password: str) -> None:
    status, page = browser.request("GET", "/accounts/login/")
    token = CSRF.search(page)
    assert status == 200 and token, status
    status, _ = browser.request(
        "POST",
        "/accounts/login/",
        {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password},
    )
    assert status == 302, f"sign-in of {username} answered {status}"


def form_token(browser: Browser, path: str) -> str:
    """Open a page and return the CSRF token of its first form."""
    status, page = browser.request("GET", path)
    token = CSRF.search(page)
    assert status == 200 and token, status
    return token.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_child(script: str, env: dict[str, str], what: str, *args: str) -> dict[str, object]:
    """Run ``script --child=WHAT:ARGS`` (Django set up from ``env``) and return the JSON
    object on the last line of its output."""
    out = subprocess.run(
        [sys.executable, script, f"--child={what}:{':'.join(args)}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if out.returncode != 0:
        raise SystemExit(f"{what} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def bench_env(label: str, database_url: str, work: Path) -> dict[str, str]:
    """The environment of the children and the server: the database, the benchmark's
    settings module (written into ``work`` by the caller) and a signing key of its own."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": f"{work}{os.pathsep}{env.get('PYTHONPATH', '')}",
            "COLLEGIUM_SIGNING_KEY_FILE": str(work / f"{label}.key"),
        }
    )
    return env


@contextlib.contextmanager
def served(env: dict[str, str], threads: int, work: Path) -> Iterator[int]:
    """``collegium serve`` on a free port of 127.0.0.1 while the block runs; yields the
    port."""
    port = free_port()
    log = (work / f"serve-{port}.log").open("w")
    server = subprocess.Popen(
        [
            str(BIN / "collegium"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--threads",
            str(threads),
        ],
        env=env,
        # To a file: waitress warns about its queue depth under load, and an unread pipe
        # would fill up and stall the server's threads on logging.
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        deadline = time.time() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise SystemExit("collegium serve did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def postgres_database(server_url: str, name: str, create: bool) -> str:
    import psycopg

    parts = urllib.parse.urlsplit(server_url)
    with psycopg.connect(server_url, autocommit=True) as conn:
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
        else:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def run_crowd(
    host: str,
    port: int,
    usernames: list[str],
    form_path: str,
    cast: Callable[[Browser, str, int], str | None],
) -> dict[str, object]:
    """Everyone signs in and opens ``form_path`` (for its CSRF token), all at once; then
    everyone casts twice at the same moment through ``cast(browser, token, i)``, which
    returns the tracker or None when the server refused the second ballot."""
    browsers = [Browser(host, port) for _ in usernames]
    trackers: list[str] = []
    refused = [0]
    errors: list[str] = []
    lock = threading.Lock()
    tokens: list[str] = [""] * len(usernames)

    def prepare(i: int) -> None:
        try:
            sign_in(browsers[i], usernames[i], PASSWORD)
            tokens[i] = form_token(browsers[i], form_path)
        except Exception as exc:  # reported, and the run fails
            with lock:
                errors.append(f"{usernames[i]}: {exc!r}")

    def attempt(i: int, start: threading.Event) -> None:
        start.wait()
        try:
            tracker = cast(browsers[i], tokens[i], i)
        except Exception as exc:
            with lock:
                errors.append(f"{usernames[i]}: {exc!r}")
            return
        with lock:
            if tracker is None:
                refused[0] += 1
            else:
                trackers.append(tracker)

    started = time.perf_counter()
    threads = [threading.Thread(target=prepare, args=(i,)) for i in range(len(usernames))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sign_in_s = time.perf_counter() - started
    go = threading.Event()
    threads = [
        threading.Thread(target=attempt, args=(i, go))
        for i in range(len(usernames))
        for _ in (0, 1)
    ]
    for t in threads:
        t.start()
    started = time.perf_counter()
    go.set()
    for t in threads:
        t.join()
    return {
        "sign_in_s": sign_in_s,
        "cast_s": time.perf_counter() - started,
        "trackers": trackers,
        "refused": refused[0],
        "errors": errors,
    }


def build_shop(size: int, prefix: str, given: str) -> tuple[Any, Any, list[Any]]:
    """In the child, with Django set up: migrate, then a congress, a union, an enterprise
    and one shop of ``size`` members who sign in as ``<prefix>0000``… with ``PASSWORD``.
    Returns (enterprise, shop, members); every fourth member is a technical specialist."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from collegium.federation.models import Body, Category, Member
    from collegium.federation.services import body_place

    call_command("migrate", verbosity=0)
    user_model = get_user_model()

    def body(code: str, kind: str, parent: Body | None) -> Body:
        b = Body.objects.create(code=code, name=code.title(), kind=kind, parent=parent, path="")
        body_place(b)
        return b

    congress = body("congress", "congress", None)
    union = body("metal", "industrial_union", congress)
    works = body("works", "enterprise", union)
    shop = body("works-1", "shop", works)
    categories = {c.code: c for c in Category.objects.all()}
    members = []
    for i in range(size):
        user = user_model.objects.create_user(username=f"{prefix}{i:04d}", password=PASSWORD)
        category = "production_worker" if i % 4 else "technical_specialist"
        members.append(
            Member.objects.create(
                member_no=f"{prefix}{i:04d}",
                given_name=f"{given}{i}",
                family_name=f"Family{i % 37}",
                email=f"{prefix}{i}@example.org",
                category=categories[category],
                workplace=shop,
                user=user,
            )
        )
    return works, shop, members
