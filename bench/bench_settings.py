"""The application's settings with one addition for bench/workbench.py: the query-counting middleware
(bench/query_count.py) first, so each answer says in `X-Queries` how many SQL statements it took. Served as
`DJANGO_SETTINGS_MODULE=bench_settings gunicorn config.wsgi:application` with bench/ on the path."""

from config.settings import *  # noqa: F403 -- the same database, apps and time zone as the application
from config.settings import MIDDLEWARE as APPLICATION_MIDDLEWARE

MIDDLEWARE = ["query_count.QueryCount", *APPLICATION_MIDDLEWARE]
