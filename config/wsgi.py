import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# What a worker has loaded (Django, the app's modules, schemas, the word lists) lives as long as the worker: set
# aside from the cyclic garbage collector, whose full passes otherwise walked all of it every few requests
# (30–90 ms stalls inside a page at a million cases; a page makes ~1,000 model objects). Young collections come
# after 20,000 allocations instead of 700: each is then worth its walk (gc.freeze, Python's own advice for
# long-lived servers).
gc.collect()
gc.freeze()
gc.set_threshold(20_000, 10, 10)
