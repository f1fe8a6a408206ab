"""The demo the README's `make run` sets up: accounts that log in with the passwords of the accounts file,
cases whose matter fits their text, one phone per person."""

from __future__ import annotations

import base64
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from django_otp.oath import TOTP

from banchengshi.accounts.access import SECOND_FACTOR_ROLES
from banchengshi.cases.models import Case, WorkOrder
from banchengshi.demo.build import ACCOUNTS
from banchengshi.dispatch.routing import CatalogKeywordSuggester
from banchengshi.reports.typical_cases import published


def accounts_in(text: str) -> dict[str, str]:
    """username -> password, as the demo accounts file lists them."""
    names = {a[0] for a in ACCOUNTS}
    return {f[0]: f[1] for f in (line.split() for line in text.splitlines()) if len(f) >= 2 and f[0] in names}


def test_every_case_carries_the_matter_its_text_names(bare_db: None) -> None:
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    suggester = CatalogKeywordSuggester()
    cases = list(Case.objects.select_related("matter"))
    assert len(cases) >= 15
    for case in cases:
        best = suggester.suggest(case.description, limit=1)
        if case.matter is None:
            assert best == [], f"{case.description} fits {best[0].matter}"
        else:
            assert best and best[0].matter == case.matter, (case.description, case.matter, best)


def test_the_demo_publishes_the_guides_and_issues_a_one_time_notice(bare_db: None) -> None:
    from banchengshi.cases.models import CaseDocument
    from banchengshi.guides.models import Guide, VersionStatus

    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert Guide.objects.filter(published__isnull=False).count() == 84
    pending = Guide.objects.get(matter__code="RSJ-003").versions.get(status=VersionStatus.PENDING)
    assert pending.edited_by is not None and pending.edited_by.username == "rsj"
    notice = CaseDocument.objects.get(kind="one_time_notice")
    assert notice.case.matter is not None and notice.case.matter.code == "SCJGJ-001" and len(notice.data["missing"]) >= 3


def test_one_phone_per_person_and_one_person_per_phone(bare_db: None) -> None:
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    phones, names = defaultdict(set), defaultdict(set)
    for name, phone in Case.objects.values_list("reporter_name", "reporter_phone"):
        phones[name].add(phone)
        names[phone].add(name)
    assert {n: p for n, p in phones.items() if len(p) > 1} == {}
    assert {p: n for p, n in names.items() if len(n) > 1} == {}
    assert len(phones) >= 14


# --- `make run` for real: a fresh SQLite database, `manage.py demo` twice, then scripts/run ---------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _log_in(base: str, username: str, password: str) -> tuple[int, str, str]:
    """Logs in through /login/ as a browser does; answers the login's status and Location, and the
    page the home page leads to afterwards (the three administrators are sent to /admin/)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    page = opener.open(f"{base}/login/", timeout=30).read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, page[:500]
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": match[1], "username": username, "password": password})
    try:
        response = opener.open(f"{base}/login/", form.encode(), timeout=30)
        return response.status, "", ""
    except urllib.error.HTTPError as redirect:  # the 302 the no-redirect handler leaves as an error
        status, location = redirect.code, redirect.headers.get("Location", "")
    follow = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with follow.open(f"{base}/", timeout=30) as home:
        assert home.status == 200
        landed = urllib.parse.urlsplit(home.url).path
        if landed == ENROL:  # the 三员, oversight and the admin office enrol a TOTP app at the first sign-in
            _enrol(follow, base, home.read().decode())
            with follow.open(f"{base}/", timeout=30) as after:
                assert urllib.parse.urlsplit(after.url).path != ENROL
            return status, location, landed
        return status, location, landed


ENROL = "/account/second-factor/enrol/"


def _enrol(opener: Any, base: str, page: str) -> None:
    """What a person does with an authenticator app: the secret shown as text, its current code typed."""
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', page)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert secret and token, page[:500]
    totp = TOTP(base64.b32decode(secret[1].replace(" ", "")))
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token[1], "code": f"{totp.token():06d}"})
    with opener.open(f"{base}{ENROL}", form.encode(), timeout=30) as done:
        assert urllib.parse.urlsplit(done.url).path != ENROL, done.read().decode()[:500]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_make_run_logs_in_with_every_account_of_the_accounts_file(tmp_path: Path) -> None:
    """What a person does after `make test` (or before it): `make run` and log in with the accounts
    file. Runs the real commands and server against a temporary database and var/ folder; only the
    password hasher is the tests' fast one (26 PBKDF2 rounds would add ~15 s of CPU)."""
    base_dir = Path(settings.BASE_DIR)
    var = tmp_path / "var"
    (tmp_path / "demo_settings.py").write_text(
        "from config.settings import *  # noqa: F403\n"
        "PASSWORD_HASHERS = ['django.contrib.auth.hashers.MD5PasswordHasher']\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "MEDIA_ROOT", "SECRET_KEY"}}
    env.update(
        BANCHENGSHI_VAR=str(var),
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        DJANGO_SETTINGS_MODULE="demo_settings",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(base_dir)]),
    )

    def manage(*args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=base_dir, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    manage("migrate", "--noinput", "-v0")
    first = manage("demo")
    accounts_file = var / "demo-accounts.txt"
    written = accounts_file.read_text(encoding="utf-8")
    accounts = accounts_in(written)
    assert set(accounts) == {a[0] for a in ACCOUNTS}
    assert all(password in first for password in accounts.values())  # shown the first time
    assert "仅" not in written and "一次" not in written  # it says what it holds, not a promise it breaks
    assert oct(accounts_file.stat().st_mode & 0o777) == "0o600"

    again = manage("demo")
    assert str(accounts_file) in again
    assert not any(password in again for password in accounts.values())
    assert accounts_file.read_text(encoding="utf-8") == written

    port = _free_port()
    log = tmp_path / "run.log"
    with log.open("w") as out:
        server = subprocess.Popen(["scripts/run"], cwd=base_dir, stdout=out, stderr=subprocess.STDOUT,
                                  env={**env, "PY": sys.executable, "HOST": "127.0.0.1", "PORT": str(port)},
                                  start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=10)
                break
            except OSError:  # refused while gunicorn starts, or its first answer is slow
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        roles = {name: role for name, _unit, role, _display in ACCOUNTS}
        for username, password in accounts.items():
            status, location, landed = _log_in(base, username, password)
            assert (status, location) == (302, "/") and not landed.startswith("/login"), (username, landed)
            assert (landed == ENROL) == (roles[username] in SECOND_FACTOR_ROLES), (username, landed)
        assert _log_in(base, "dengji", "not-the-password")[0] == 200  # the form again, with its error
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    started = log.read_text()
    assert str(accounts_file) in started
    assert not any(password in started for password in accounts.values())


def test_the_demo_has_past_quarters_to_show_all_finished(bare_db: None) -> None:
    """`make run`'s demo: the dashboard, 堵点分析 and 信息公开 compare quarters, so the five before this one
    hold cases (each some 90), and all of them finished: none waits in anyone's to-do list."""
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    today = timezone.localdate()
    month = today.year * 12 + today.month - 1 - (today.month - 1) % 3  # this quarter's first month
    past = Case.objects.filter(reference__startswith="LS")
    for back in range(1, 6):
        m = month - 3 * back
        first = date(m // 12, m % 12 + 1, 1)
        quarter = past.filter(received_at__date__gte=first, received_at__date__lt=first + timedelta(days=89))
        assert quarter.count() >= 50, first
    assert not past.filter(received_at__date__gte=date(month // 12, month % 12 + 1, 1)).exists()
    assert set(past.values_list("status", flat=True)) == {"not_accepted", "closed", "visited"}
    assert past.filter(resupervision_count__gt=0).exists()  # 堵点分析's 再督办 has something to count
    # 信息公开 shows a 典型案例, written up from a case without its reporter's name or phone.
    shown = published()
    assert shown.count() == 1 and "失业保险金" in shown[0].title and shown[0].case.reporter_name not in shown[0].problem
    # A department's report lists its own matters: the lead unit of a past case is its matter's department.
    leads = WorkOrder.objects.filter(case__in=past.exclude(matter=None), role="lead").exclude(status="returned")
    assert leads.count() > 100
    assert not leads.exclude(unit=F("case__matter__department")).exists()
