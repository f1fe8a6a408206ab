"""Benchmark (issue 12, repeats): how long finding the possible repeats of one new report takes over
BENCH_CASES (default 100,000) generated cases in PostgreSQL.

Its own database (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/bcs_bench_dups; created when
missing, refilled only when it is a *bench* database holding another number of cases): migrates, loads the
district, generates the cases (`manage.py generate_cases`, COPY). Then, in this process:
- cold: the first check, which cuts and stores the features (CaseText) of the candidates not yet stored;
- warm: BENCH_RUNS (200) checks of reports in reporters' words (the calibration texts), each as the job
  does it after registration (`find_similar` against the bounded candidates): p50, p95, max.
Prints a table and writes it to var/bench/duplicates_at_scale.json.

    make bench-duplicates                   # 100,000 cases
    BENCH_CASES=1000000 make bench-duplicates
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures_at_scale import prepare_database  # noqa: E402 -- the sibling benchmark's helper

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bcs_bench_dups"


def main() -> None:
    url = os.environ.get("DATABASE_URL", "") or DEFAULT_URL
    if "bench" not in url.rsplit("/", 1)[-1]:
        raise SystemExit(f"bench-duplicates needs a *bench* PostgreSQL database, not {url}")
    cases = int(os.environ.get("BENCH_CASES", "100000"))
    runs = int(os.environ.get("BENCH_RUNS", "200"))
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": url, "BANCHENGSHI_VAR": str(var), "BANCHENGSHI_PROFILE": "development"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    # prepare_database counts the figures benchmark's BENCH prefix: the same generated rows serve both.
    if not prepare_database(url, cases):
        subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True)
        subprocess.run([*manage, "load_district", str(ROOT.parent / "shared" / "data")], env=env, check=True)
        subprocess.run([*manage, "generate_cases", str(cases), "--prefix", "BENCH"], env=env, check=True)
    else:
        subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    from banchengshi.accounts.models import Unit
    from banchengshi.cases import duplicates
    from banchengshi.cases.models import Case, CaseText
    from banchengshi.cases.tests.duplicate_pairs import DIFFERENT, SAME

    texts = list(dict.fromkeys(t for pair in SAME + DIFFERENT for t in pair))
    center = Unit.objects.get(code="FWZX")
    started = time.perf_counter()
    duplicates.find_similar(texts[0], phone_hashes=[], center_id=center.pk, matter_id=None)
    cold = time.perf_counter() - started
    seconds = []
    for i in range(runs):
        started = time.perf_counter()
        duplicates.find_similar(texts[i % len(texts)], phone_hashes=[], center_id=center.pk, matter_id=None)
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    result = {
        "cases": Case.objects.count(),
        "candidates": settings.DUPLICATE_CANDIDATES,
        "stored_features": CaseText.objects.count(),
        "cold_first_check_s": round(cold, 3),
        "runs": runs,
        "p50_ms": round(statistics.median(seconds) * 1000, 1),
        "p95_ms": round(seconds[int(len(seconds) * 0.95) - 1] * 1000, 1),
        "max_ms": round(seconds[-1] * 1000, 1),
    }
    (var / "duplicates_at_scale.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"cases {result['cases']:,}  candidates ≤ {result['candidates']:,}  stored features {result['stored_features']:,}")
    print(f"first check (cuts and stores the candidates' features): {result['cold_first_check_s']} s")
    print(f"a check after that, {runs} runs: p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms  max {result['max_ms']} ms")


if __name__ == "__main__":
    main()
