"""Settings, read from the environment. A bad value stops the start with a clear message."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from banchengshi.lib.keys import load_key, load_previous_keys, owner_only_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("BANCHENGSHI_VAR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


# The one switch between a developer's machine and a real installation (README, "Production"):
# BANCHENGSHI_PROFILE=production turns on HTTPS-only cookies, HSTS, the redirect to HTTPS, the API docs
# behind a sign-in, requires SECRET_KEY and ALLOWED_HOSTS, and refuses `manage.py demo`. Unset (or
# "development") keeps `make run` on plain http://127.0.0.1 as it always was.
PROFILE = os.environ.get("BANCHENGSHI_PROFILE", "") or "development"
if PROFILE not in {"development", "production"}:
    raise ImproperlyConfigured(f"BANCHENGSHI_PROFILE must be development or production, not {PROFILE!r}")
PRODUCTION = PROFILE == "production"

DEBUG = env_bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in the production profile (BANCHENGSHI_PROFILE=production)")


def _strong(key: str) -> bool:
    """What Django's deploy check (security.W009) asks of a key: 50 characters, 5 different, not Django's own."""
    return len(key) >= 50 and len(set(key)) >= 5 and not key.startswith("django-insecure-")


def _secret_key() -> str:
    """SECRET_KEY from the environment (or the file SECRET_KEY_FILE), else, in development only, one
    generated once into var/secret_key. Production requires one given, and a strong one: several web
    servers must share it, and a key made up on the spot would be lost with the directory."""
    if os.environ.get("SECRET_KEY_FILE"):
        try:
            key = Path(os.environ["SECRET_KEY_FILE"]).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"SECRET_KEY_FILE cannot be read: {exc}") from exc
    else:
        key = os.environ.get("SECRET_KEY", "")
    if key:
        if PRODUCTION and not _strong(key):
            raise ImproperlyConfigured("SECRET_KEY is too weak for production: at least 50 random characters "
                                       "(python -c 'import secrets; print(secrets.token_urlsafe(50))')")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("The production profile needs SECRET_KEY (or SECRET_KEY_FILE): at least 50 "
                                   "random characters (python -c 'import secrets; print(secrets.token_urlsafe(50))')")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _audit_key() -> bytes:
    """The HMAC-SM3 key that chains the audit log, kept outside the database (whoever can rewrite the
    database must not also be able to re-seal it): AUDIT_KEY (hex), else the file AUDIT_KEY_FILE
    (default var/audit_key) generated once, readable by its owner only. Losing it leaves the old chain
    unverifiable, so it is backed up apart from the database."""
    raw = os.environ.get("AUDIT_KEY", "")
    if not raw:
        raw = owner_only_file(Path(os.environ.get("AUDIT_KEY_FILE", VAR_DIR / "audit_key")), "the audit key", create=True)
    try:
        key = bytes.fromhex(raw)
    except ValueError as exc:
        raise ImproperlyConfigured("AUDIT_KEY must be hexadecimal (64 hex digits: 32 bytes)") from exc
    if len(key) < 32:
        raise ImproperlyConfigured("AUDIT_KEY must be at least 32 bytes (64 hex digits)")
    return key


AUDIT_KEY = _audit_key()
# 等保 2.0 level 3 keeps audit records at least six months; the database refuses to delete younger rows.
_retention = os.environ.get("AUDIT_RETENTION_DAYS", "") or "180"
if not _retention.isdigit() or int(_retention) < 180:
    raise ImproperlyConfigured(f"AUDIT_RETENTION_DAYS must be a number of days, at least 180 (six months), not {_retention!r}")
AUDIT_RETENTION_DAYS = int(_retention)
# Personal information (reporters' names and phones, outbox recipients, integration and webhook secrets) is
# encrypted at rest with SM4-GCM under PII_KEY, kept outside the database (banchengshi/lib/pii.py). In
# development it is generated once into var/pii_key (mode 0600); production refuses to start without PII_KEY
# or PII_KEY_FILE. PII_PREVIOUS_KEYS (comma-separated) are keys being rotated away from: read, never written
# with, until `manage.py rotate_pii_key` has re-encrypted every row under PII_KEY.
PII_KEY = load_key("PII_KEY", default_file=VAR_DIR / "pii_key", production=PRODUCTION)
PII_PREVIOUS_KEYS = load_previous_keys("PII_PREVIOUS_KEYS")
# Closed cases lose their reporter's name (masked to 张*) and phone this many days after closure (PIPL art. 19:
# kept no longer than the purpose needs). Three years by default: complaints and reviews of a closed case
# come within that time; every statistic is kept (`manage.py anonymise_cases`, and daily by the job worker).
_pii_retention = os.environ.get("PII_RETENTION_DAYS", "") or "1095"
if not _pii_retention.isdigit() or int(_pii_retention) < 1:
    raise ImproperlyConfigured(f"PII_RETENTION_DAYS must be a whole number of days, at least 1, not {_pii_retention!r}")
PII_RETENTION_DAYS = int(_pii_retention)

# Only the test suite lifts the append-only guard (to flush its database between tests).
AUDIT_GUARD_LIFTABLE = False

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
if PRODUCTION and not os.environ.get("ALLOWED_HOSTS", "").strip():
    raise ImproperlyConfigured("The production profile needs ALLOWED_HOSTS: the host names the site answers to, "
                               "comma-separated (e.g. bcs.example.gov.cn)")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "huey.contrib.djhuey",
    "django_ratelimit",
    "axes",  # failed sign-ins counted per account in the database; lockout after AXES_FAILURE_LIMIT
    "django_otp",  # the second factor: which device verified this session (accounts.second_factor)
    "django_otp.plugins.otp_totp",  # TOTP devices (RFC 6238), the codes of any authenticator app
    "banchengshi.accounts",
    "banchengshi.sla",
    # Before dispatch: its `load_district` (the district's units, matters and their 办事指南) wins over dispatch's.
    "banchengshi.guides",
    "banchengshi.dispatch",
    "banchengshi.cases",
    "banchengshi.supervision",
    "banchengshi.audit",
    "banchengshi.idempotency",
    "banchengshi.notify",
    "banchengshi.public",
    "banchengshi.integrations",
    "banchengshi.papers",
    "banchengshi.reports",
    "banchengshi.demo",
]

MIDDLEWARE = [
    "banchengshi.lib.request_context.RequestContextMiddleware",  # request id, address: read by the audit log
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy on every response, static files too (below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "banchengshi.lib.input_guard.RefuseNulMiddleware",  # a NUL anywhere in a request: 400, never a database error
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): a TOTP code passed in this session
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "banchengshi.accounts.middleware.SessionLimitsMiddleware",  # idle timeout by role, absolute limit
    "banchengshi.accounts.middleware.SecondFactorRequiredMiddleware",  # the TOTP step before any page
    "banchengshi.accounts.middleware.PasswordChangeRequiredMiddleware",  # first sign-in, expired password
    "axes.middleware.AxesMiddleware",  # turns a locked-out sign-in into the lockout page
    "banchengshi.lib.replica.ReplicaReadsMiddleware",  # last: report pages read from the replica, if one is set
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "banchengshi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "banchengshi.sla.context_processors.calendar",
                "banchengshi.cases.context_processors.workbench",
                "banchengshi.notify.context_processors.reminders",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'banchengshi.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except Exception as exc:  # dj_database_url raises several kinds
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the job worker share the file; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"} if not os.environ.get("TEST_SQLITE_FILE") else {}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: it compiled the queues' queries at a million cases for 0.6 s each, to save a few milliseconds of
    # execution (PostgreSQL turns it on for any query whose estimated cost is high, as a queue's can be).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = " ".join(filter(None, [options.get("options", ""), "-c jit=off"]))

# A streaming replica for the report pages (banchengshi/lib/replica.py; docs/production.md): with
# DATABASE_REPLICA_URL set, GET requests under REPLICA_READ_PATHS read case data from it; writes, reads
# inside a transaction and sign-in tables stay on the primary. Its test database mirrors the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    try:
        DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    except Exception as exc:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL is not a database URL: {exc}") from exc
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["banchengshi.lib.replica.ReplicaRouter"]
REPLICA_READ_PATHS = ("/dashboard/", "/reports/", "/bottlenecks/", "/public/disclosure/", "/api/v1/stats",
                      "/api/v1/reports/", "/api/v1/bottlenecks")

AUTH_USER_MODEL = "accounts.User"


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "") or str(default)
    if not raw.isdigit() or int(raw) < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number, at least {minimum}, not {raw!r}")
    return int(raw)


# Password policy (等保 2.0 level 3, 身份鉴别): length, three of four kinds of character, not the account's
# name, not a common password, not one of the last PASSWORD_HISTORY, changed every PASSWORD_MAX_AGE_DAYS
# (0: never expires). Every path that sets a password (admin forms, create_staff, the change page) runs these.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 12, minimum=8)
PASSWORD_HISTORY = env_int("PASSWORD_HISTORY", 5)
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "banchengshi.accounts.passwords.MinimumLengthValidator",
     "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH}},
    {"NAME": "banchengshi.accounts.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "banchengshi.accounts.passwords.UsernameValidator"},
    {"NAME": "banchengshi.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "banchengshi.accounts.passwords.HistoryValidator", "OPTIONS": {"history": PASSWORD_HISTORY}},
]
# The demo's accounts get generated passwords, to be changed at first sign-in like any other; a
# developer's own copy may skip that (DEMO_ACCOUNTS_EXEMPT=true, read by `manage.py demo`).
DEMO_ACCOUNTS_EXEMPT = env_bool("DEMO_ACCOUNTS_EXEMPT", default=False)

# Sign-in lockout (django-axes, database handler): LOGIN_FAILURE_LIMIT failures of one account name,
# known or not (the same answer either way), lock it for LOGIN_LOCKOUT_MINUTES; LOGIN_IP_FAILURE_LIMIT
# failures from one address, whatever the names, lock that address as long. A security administrator
# unlocks in the admin site (账号 → 工作人员 → 解除登录锁定, or the 登录失败记录 list).
AUTHENTICATION_BACKENDS = ["banchengshi.accounts.lockout.LoginLockoutBackend", "django.contrib.auth.backends.ModelBackend"]
# axes's database handler, except that a correct password does not clear the failures of an account that
# still owes its TOTP code: wrong codes count towards the same lock (accounts.lockout).
AXES_HANDLER = "banchengshi.accounts.lockout.SecondFactorAwareHandler"
AXES_SENSITIVE_PARAMETERS = ["code"]  # a TOTP code typed is never kept in the failure records
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # locked for the cool-off from the lock, no longer
AXES_CLIENT_IP_CALLABLE = "banchengshi.lib.request_context.client_ip"
AXES_LOCKOUT_CALLABLE = "banchengshi.accounts.lockout.lockout_response"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # shown in Chinese by accounts.admin (登录失败与锁定) instead
LOGIN_IP_FAILURE_LIMIT = env_int("LOGIN_IP_FAILURE_LIMIT", 20, minimum=1)
# The second factor (django-otp, TOTP) of the 三员, oversight and whoever may unmask personal data
# (accounts.access.SECOND_FACTOR_ROLES): the name authenticator apps show for the account.
OTP_TOTP_ISSUER = "办成事"

# Sessions: signed out after SESSION_IDLE_MINUTES without a request (SESSION_IDLE_MINUTES_ADMIN for the
# 三员), and SESSION_MAX_HOURS after signing in whatever the activity.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_IDLE_MINUTES_ADMIN = env_int("SESSION_IDLE_MINUTES_ADMIN", 15, minimum=1)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True

# API tokens expire API_TOKEN_DAYS after issue; their use is audited at most once an hour per token.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=1)
# A POST's answer kept under its Idempotency-Key this long (banchengshi/idempotency), then purged hourly.
IDEMPOTENCY_KEY_HOURS = env_int("IDEMPOTENCY_KEY_HOURS", 24, minimum=1)

LANGUAGE_CODE = "zh-hans"
# Simplified Chinese only: a browser that asks for English (Accept-Language) still gets every page, the
# admin and Django's own forms and messages in Chinese (with English offered, Django's password form spoke
# English to an en-US browser beside our Chinese pages).
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "banchengshi" / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "banchengshi" / "static"]
WHITENOISE_USE_FINDERS = True  # tests and a fresh checkout serve assets without collectstatic
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
DEMO_ACCOUNTS_FILE = VAR_DIR / "demo-accounts.txt"  # written by `manage.py demo` when it creates or resets accounts
# Attachments (staff uploads and the reporter's photos and files): ATTACHMENT_MAX_MB a file (10), at most
# ATTACHMENT_MAX_PER_CASE files on one case (20). Only PDF, JPEG, PNG and DOCX, recognised by content
# (banchengshi/lib/uploads.py). nginx's client_max_body_size and DATA_UPLOAD_MAX_MEMORY_SIZE stay above one file.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 10, minimum=1) * 1024 * 1024
ATTACHMENT_MAX_PER_CASE = env_int("ATTACHMENT_MAX_PER_CASE", 20, minimum=1)
# received_at of a registration (a report taken by phone or on paper and entered later): at most
# RECEIVED_AT_MAX_PAST_DAYS (30) in the past, never later than now plus RECEIVED_AT_SKEW_MINUTES (5, the
# clocks of the clerk's PC and the server); one older than RECEIVED_AT_AUDIT_MINUTES (10) before now is
# recorded in the audit trail (received_at_backdated, with the given and the actual time).
# A calendar, policy or unit change moves the open clocks it touches in the request when they are at most
# CLOCK_RECOMPUTE_INLINE_MAX (a few milliseconds each batch), else in a job with its progress in the admin.
CLOCK_RECOMPUTE_INLINE_MAX = env_int("CLOCK_RECOMPUTE_INLINE_MAX", 2000)
# The ledger's Excel export is written row by row into a temporary file (constant memory); above this many rows
# it asks for a narrower filter instead (a hundred thousand rows take a few tens of seconds to write).
LEDGER_EXPORT_MAX_ROWS = env_int("LEDGER_EXPORT_MAX_ROWS", 100_000, minimum=1)
RECEIVED_AT_MAX_PAST_DAYS = env_int("RECEIVED_AT_MAX_PAST_DAYS", 30)
RECEIVED_AT_SKEW_MINUTES = env_int("RECEIVED_AT_SKEW_MINUTES", 5)
RECEIVED_AT_AUDIT_MINUTES = env_int("RECEIVED_AT_AUDIT_MINUTES", 10)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs: SQLite storage next to the database by default, Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY: dict[str, object]
if REDIS_URL:
    # HUEY_NAME keeps two installations on one Redis apart (the tests' system run, a staging copy).
    HUEY = {"huey_class": "huey.RedisHuey", "name": os.environ.get("HUEY_NAME", "banchengshi"), "url": REDIS_URL,
            "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "banchengshi",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": env_bool("HUEY_IMMEDIATE", default=False),
    }

# The routing model (dispatch/training.py) is retrained by a job ROUTING_RETRAIN_DELAY seconds after a
# dispatcher's decision (one job for the decisions of that interval), and hourly if anything was missed.
ROUTING_RETRAIN_AFTER_DISPATCH = env_bool("ROUTING_RETRAIN_AFTER_DISPATCH", default=True)
ROUTING_RETRAIN_DELAY = int(os.environ.get("ROUTING_RETRAIN_DELAY", "120"))
# How long a process uses what it read of the newest model's id and of the units and matters (a retrain or a
# catalog edit shows within that many seconds); suggestions then read nothing from the database.
ROUTING_CACHE_SECONDS = float(os.environ.get("ROUTING_CACHE_SECONDS", "5"))

# The cache counts requests for the public pages' limits (django-ratelimit): Redis when REDIS_URL is set,
# else a table in the database, which the web server's processes share. The database cache increments
# without a lock (django-ratelimit's check E003 says so): under a burst a limit may let one or two more
# through, which the embedded setup accepts; deployments at scale set REDIS_URL.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "banchengshi_cache"}}
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
RATELIMIT_USE_CACHE = "default"
# axes counts failures per account name; the per-address limit is LOGIN_IP_FAILURE_LIMIT (accounts.lockout),
# higher than the account's, as a service center's staff share one address.
SILENCED_SYSTEM_CHECKS.append("axes.W006")


def _rate(name: str, default: str) -> str:
    """A limit such as "5/d" (5 a day), "20/h", "3/m" from the environment."""
    raw = os.environ.get(name, default)
    count, _, period = raw.partition("/")
    if not count.isdigit() or not period or period[-1] not in "smhd":
        raise ImproperlyConfigured(f"{name} must look like 5/d, 20/h or 3/m, not {raw!r}")
    return raw


# The citizen's pages and API: how often one phone or one address may ask (each configurable).
# Printed on the papers (回执, 不予受理通知书): the center's enquiry line and the public site's address, so a
# reporter can type the tracking URL off the paper (empty: the path alone, /track/).
PAPERS_CENTER_PHONE = os.environ.get("PAPERS_CENTER_PHONE", "12345")
# Where reporters open the site (printed on the 回执 and the notices: …/track/). A real installation sets its
# public address; the development profile prints the address `make run` serves on.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "") or (
    "" if PRODUCTION else f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}")
# The 发文字号 prefix of the admin office's 通报 (示政服办通〔2026〕3号): the organ's abbreviation and the kind.
NOTICE_NUMBER_PREFIX = os.environ.get("NOTICE_NUMBER_PREFIX", "政服办通")

PUBLIC_LIMITS = {
    "report_per_phone": _rate("LIMIT_REPORTS_PER_PHONE", "5/d"),
    "report_per_ip": _rate("LIMIT_REPORTS_PER_IP", "30/h"),
    "code_per_phone": _rate("LIMIT_CODES_PER_PHONE", "8/h"),
    "code_per_ip": _rate("LIMIT_CODES_PER_IP", "30/h"),
    "track_per_ip": _rate("LIMIT_TRACKING_PER_IP", "60/h"),
    # 办事指南 pages and GET /api/v1/public/guides, per address (a hall's kiosk and its phones share one).
    "guides_per_ip": _rate("LIMIT_GUIDES_PER_IP", "600/h"),
    "track_failures_per_reference": _rate("LIMIT_TRACKING_FAILURES", "5/h"),
}

# Staff look-ups of cases by a reporter's phone, counted per staff member: the 按电话查询 page and its API
# (LIMIT_PHONE_SEARCHES), and the registration page's repeat-report check (LIMIT_REPEAT_CHECKS, looser: a
# registrar checks every phone typed). Each look-up is audited; the limit stops an enumeration of numbers.
STAFF_LIMITS = {
    "phone_search": _rate("LIMIT_PHONE_SEARCHES", "10/10m"),
    "repeat_check": _rate("LIMIT_REPEAT_CHECKS", "30/10m"),
    # The registration page's 可能重复 check as the description is typed (no phone look-up of its own; it
    # bounds the work one account can ask for).
    "similar_check": _rate("LIMIT_SIMILAR_CHECKS", "120/10m"),
}

# Repeats and duplicates (cases.duplicates): a new report is compared with the open cases and those closed
# in the last DUPLICATE_RECENT_DAYS (30), at most DUPLICATE_CANDIDATES (3000) of them, its own center's and
# matter's first; DUPLICATE_CLUSTER_REPORTERS (3) different reporters on one problem within
# DUPLICATE_CLUSTER_DAYS (30) make a possible 联席会议 topic (安康办法第十四条).
DUPLICATE_RECENT_DAYS = env_int("DUPLICATE_RECENT_DAYS", 30)
DUPLICATE_CANDIDATES = env_int("DUPLICATE_CANDIDATES", 3000, minimum=1)
DUPLICATE_CLUSTER_REPORTERS = env_int("DUPLICATE_CLUSTER_REPORTERS", 3, minimum=2)
DUPLICATE_CLUSTER_DAYS = env_int("DUPLICATE_CLUSTER_DAYS", 30, minimum=1)

# SMS: an HTTP gateway when SMS_GATEWAY_URL is set; otherwise each message is one JSON line in SMS_FILE.
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_SIGN = os.environ.get("SMS_SIGN", "")
SMS_FILE = Path(os.environ.get("SMS_FILE", VAR_DIR / "sms.jsonl"))

# E-mail (the staff's reminders): SMTP when EMAIL_HOST is set; otherwise each message is a file in
# var/mail, for developers. Tests use Django's in-memory backend (mail.outbox).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
try:
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "") or 25)
except ValueError as exc:
    raise ImproperlyConfigured(f"EMAIL_PORT must be a port number, not {os.environ['EMAIL_PORT']!r}") from exc
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
EMAIL_TIMEOUT = 10  # the outbox tries again later; a hung server must not hold the job worker
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "办成事 <noreply@localhost>")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# The personal-information notice (PIPL arts. 17 and 35) names who processes the data and how to reach them.
PERSONAL_DATA_CONTROLLER = os.environ.get("PERSONAL_DATA_CONTROLLER", "示范区政务服务中心")
PERSONAL_DATA_CONTACT = os.environ.get("PERSONAL_DATA_CONTACT", "示范区政务服务中心“办不成事”反映窗口，电话 12345，地址：示范区政务服务中心一楼")

# ---- Transport and browser security (等保 2.0 level 3: 通信传输, 入侵防范). `manage.py check --deploy` is
# clean in the production profile (a test runs it). Every profile: cookies out of scripts' reach and kept
# to this site, no framing, no MIME sniffing, no referrer to other sites, and the CSP below.
SESSION_COOKIE_HTTPONLY = True
# The CSRF token reaches htmx through the page (hx-headers on <body>), never through document.cookie.
CSRF_COOKIE_HTTPONLY = True
# Lax, not Strict: a link to a case in an e-mail reminder must open signed in; POSTs from other sites
# carry no cookie either way.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"


def _proxy_ssl_header() -> tuple[str, str] | None:
    """SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto (or "X-Forwarded-Proto: https"): the header the
    TLS-terminating proxy sets, which must then be the only way in (the proxy overwrites it)."""
    raw = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
    if not raw:
        return None
    name, _, value = raw.partition(":")
    name, value = name.strip(), value.strip() or "https"
    if not name or not all(c.isalnum() or c == "-" for c in name):
        raise ImproperlyConfigured(f"SECURE_PROXY_SSL_HEADER must be a header name such as X-Forwarded-Proto, not {raw!r}")
    return "HTTP_" + name.upper().replace("-", "_"), value


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header()
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    _hsts = os.environ.get("SECURE_HSTS_SECONDS", "") or "31536000"
    if not _hsts.isdigit() or int(_hsts) < 31536000:
        raise ImproperlyConfigured(f"SECURE_HSTS_SECONDS must be at least 31536000 (one year), not {_hsts!r}")
    SECURE_HSTS_SECONDS = int(_hsts)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    # On even behind a proxy that redirects port 80 itself: with SECURE_PROXY_SSL_HEADER set, requests
    # that came in over HTTPS are never redirected; without it, behind a proxy, every request would be.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # A health check over plain HTTP from the machine itself, e.g. SECURE_REDIRECT_EXEMPT=^healthz$.
    SECURE_REDIRECT_EXEMPT = [r for r in os.environ.get("SECURE_REDIRECT_EXEMPT", "").split(",") if r]

# Content-Security-Policy (django-csp), enforced in every profile so the browser tests meet it: scripts
# and styles only from the app's own static files (no inline <script>, <style>, style="…" or onclick=,
# no eval), images from here or data: URIs (Bootstrap's form controls draw their arrows and ticks as
# data: SVGs), nothing may frame the pages, forms post only here.
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "frame-ancestors": [_NONE],
        "form-action": [_SELF],
        "base-uri": [_NONE],
        "object-src": [_NONE],
    },
}
# The API documentation (/api/v1/docs, /api/v1/openapi.json): open in development; in production only
# to a signed-in staff member (is_staff) or a request with a valid API token.
API_DOCS_PUBLIC = not PRODUCTION

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}, "huey": {"level": "INFO", "propagate": False},
                "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

