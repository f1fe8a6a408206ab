"""The ceiling of the stack for `bench/intake.py`: the project's settings and database under the same gunicorn,
with no middleware and one view (bare_urls.py) that does one INSERT and answers 201 — no sign-in, no
validation, no audit. Served as `DJANGO_SETTINGS_MODULE=bare_settings gunicorn config.wsgi:application` with
bench/ on the path."""

from config.settings import *  # noqa: F403 -- the same database, apps and time zone as the application

ROOT_URLCONF = "bare_urls"
MIDDLEWARE: list[str] = []
