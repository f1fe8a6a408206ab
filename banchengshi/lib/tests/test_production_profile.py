"""The production profile (BANCHENGSHI_PROFILE=production, README "Production"): Django's deploy check is
clean, the settings refuse a start without what production needs, and every profile sends the CSP."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from banchengshi.accounts.tests.otp import sign_in

ROOT = Path(settings.BASE_DIR)


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "DATABASE_URL",
                                                            "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "PII_KEY", "PII_KEY_FILE",
                                                            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests
                                                            "PII_PREVIOUS_KEYS"}}
    env.update({
        "BANCHENGSHI_PROFILE": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "bcs.example.gov.cn",
        "PII_KEY": secrets.token_hex(32),
        "BANCHENGSHI_VAR": str(tmp_path),  # the audit key and the database file of this run, not the project's
        "PYTHONPATH": str(ROOT),
    })
    env.update(overrides)
    return {k: v for k, v in env.items() if v != ""}


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_in_production(tmp_path: Path) -> None:
    done = run(production_env(tmp_path), "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    assert not (tmp_path / "secret_key").exists()  # production never makes up a key
    assert not (tmp_path / "pii_key").exists()


def test_production_settings(tmp_path: Path) -> None:
    names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY",
             "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
             "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS",
             "SECURE_REFERRER_POLICY", "API_DOCS_PUBLIC", "DEBUG"]
    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))")
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    done = run(env, "-c", code)
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout)
    assert values == {
        "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax", "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"], "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "X_FRAME_OPTIONS": "DENY", "SECURE_REFERRER_POLICY": "same-origin", "API_DOCS_PUBLIC": False, "DEBUG": False,
    }


@pytest.mark.parametrize(("overrides", "message"), [
    ({"SECRET_KEY": ""}, "needs SECRET_KEY"),
    ({"SECRET_KEY": "short-and-guessable"}, "too weak"),
    ({"SECRET_KEY": "django-insecure-" + "x" * 60}, "too weak"),
    ({"ALLOWED_HOSTS": ""}, "needs ALLOWED_HOSTS"),
    ({"PII_KEY": ""}, "needs PII_KEY"),
    ({"PII_KEY": "0123456789abcdef"}, "PII_KEY must be at least 32 bytes"),
    ({"PII_RETENTION_DAYS": "three years"}, "PII_RETENTION_DAYS must be a whole number"),
    ({"DEBUG": "1"}, "DEBUG must be off"),
    ({"SECURE_HSTS_SECONDS": "3600"}, "at least 31536000"),
    ({"BANCHENGSHI_PROFILE": "prod"}, "must be development or production"),
])
def test_production_refuses_to_start_without_what_it_needs(tmp_path: Path, overrides: dict[str, str], message: str) -> None:
    done = run(production_env(tmp_path, **overrides), "manage.py", "check")
    assert done.returncode != 0
    assert message in done.stderr


def test_development_is_unchanged(tmp_path: Path) -> None:
    """Without the switch: no key needed (one is generated into var/), plain HTTP, cookies without Secure."""
    env = production_env(tmp_path, BANCHENGSHI_PROFILE="", SECRET_KEY="", ALLOWED_HOSTS="",
                         DJANGO_SETTINGS_MODULE="config.settings")
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.SESSION_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.API_DOCS_PUBLIC)")
    done = run(env, "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False", "0", "True"]
    assert (tmp_path / "secret_key").exists()


def test_every_response_carries_the_csp(client: Any, district: Any) -> None:
    for url in ["/", "/login/", "/kiosk/", "/static/banchengshi.css"]:
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"
        assert directives["base-uri"] == "'none'"
        assert "unsafe" not in policy, url


INLINE = re.compile(r"""\sstyle=|<style|<script(?![^>]*\bsrc=)|\son[a-z]+=|javascript:|hx-on""", re.IGNORECASE)


def test_no_template_needs_unsafe_inline() -> None:
    """The CSP forbids style="…", <style>, inline <script> and on…= handlers: the templates the browser
    sees have none (the work-order PDF's template is read by WeasyPrint only, never served)."""
    found = []
    for path in sorted((ROOT / "banchengshi").rglob("templates/**/*.html")):
        if path.name == "work_order.html" or path.parts[-2:] == ("papers", "paper.html"):
            continue  # the printed papers' layout: read by WeasyPrint only, never served
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if INLINE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert found == []


DOCS = ["/api/v1/docs", "/api/v1/openapi.json"]


def test_api_docs_are_open_in_development(client: Any, district: Any) -> None:
    assert all(client.get(url).status_code == 200 for url in DOCS)


def test_api_docs_need_staff_or_a_token_in_production(settings: Any, district: Any) -> None:
    from django.test import Client

    from banchengshi.accounts.models import ApiToken

    settings.API_DOCS_PUBLIC = False
    anonymous = Client()
    page = anonymous.get("/api/v1/docs")
    assert page.status_code == 302 and page["Location"].startswith("/login/?next=/api/v1/docs")
    schema = anonymous.get("/api/v1/openapi.json")
    assert schema.status_code == 401 and schema.json() == {"detail": "未登录或令牌无效"}
    assert anonymous.get("/api/v1/openapi.json", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401

    token = ApiToken.issue(district.users["registrar"])  # any valid token reads the schema, as tools need
    with_token = anonymous.get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert with_token.status_code == 200 and "/api/v1/cases" in with_token.json()["paths"]

    clerk = Client()
    sign_in(clerk, district.users["registrar"])  # signed in, but not one who may open the admin
    assert clerk.get("/api/v1/docs").status_code == 403
    admin = Client()
    sign_in(admin, district.users["system_admin"])
    assert all(admin.get(url).status_code == 200 for url in DOCS)


def test_demo_refuses_in_production(settings: Any, bare_db: None) -> None:
    from django.core.management import CommandError, call_command

    from banchengshi.accounts.models import User

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境"):
        call_command("demo")
    with pytest.raises(CommandError, match="生产环境"):
        call_command("demo", "--reset-passwords")
    assert not Path(settings.DEMO_ACCOUNTS_FILE).exists()
    assert not User.objects.exists()


def test_a_web_worker_sets_its_loaded_code_aside_from_the_garbage_collector(tmp_path: Path) -> None:
    """config/wsgi.py: what the worker loaded is frozen out of the collector's passes (a page at a million
    cases stalled 30–90 ms in full passes over it); the thresholds stay Python's (memory)."""
    code = "import gc, json, config.wsgi; print(json.dumps([gc.get_freeze_count(), gc.get_threshold()[0]]))"
    done = run(production_env(tmp_path), "-c", code)
    assert done.returncode == 0, done.stderr
    frozen, young = json.loads(done.stdout.strip().splitlines()[-1])
    assert frozen > 50_000 and young == 700
