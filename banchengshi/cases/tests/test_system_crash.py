"""Issue 10, must-show 3: 1,000 cases submitted at once through gunicorn while a killer SIGKILLs its worker
processes at random (the master starts new ones). Each client retries with its own Idempotency-Key after a
connection error or a 5xx until it gets its 201 (or the 201 replayed, `Idempotent-Replayed: true`). Then the database holds every
answered case exactly once, one case per key, each with its registration on the timeline, and
`verify_audit` passes. PostgreSQL in CI's PostgreSQL pass, a SQLite file (WAL) in the SQLite pass."""

from __future__ import annotations

import os
import random
import signal
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from banchengshi.cases.tests.live_system import (
    VENDORS,
    case_body,
    gunicorn,
    installation,
    post_case,
    submit_until_answered,
    workers_of,
)

pytestmark = pytest.mark.system
# 1,000 in CI (about a minute on a quiet two-core machine); fewer for a quick run on a busy one.
SUBMISSIONS = int(os.environ.get("CRASH_SUBMISSIONS", "") or 1000)
CLIENTS = 16  # as many as the server's threads: a killed worker takes only its own requests down
TWINS = 20  # requests with one key at the same moment


class Killer(threading.Thread):
    """SIGKILLs a random worker after every 5–25 answers (at most every half second) until stopped: paced by
    the server's progress, so a slow machine sees as many kills per case as a fast one, and a new worker
    gets to serve before it may be killed in its turn."""

    def __init__(self, server: object, answered: Callable[[], int]) -> None:
        super().__init__(daemon=True)
        self.server, self.answered, self.stop, self.killed = server, answered, threading.Event(), 0

    def run(self) -> None:
        chance = random.Random(10)  # noqa: S311 (test timing, not security)
        mark = 0
        # time.sleep, not self.stop.wait(0.5): under libfaketime (the suite a year ahead) a lock's timed wait
        # is measured against the faked clock and never ends, while sleeps are faked consistently.
        while not self.stop.is_set():
            time.sleep(0.5)
            if self.answered() < mark:
                continue
            workers = workers_of(self.server)  # type: ignore[arg-type]
            if not workers:
                continue
            try:
                os.kill(chance.choice(workers), signal.SIGKILL)
                self.killed += 1
            except ProcessLookupError:
                pass
            mark = self.answered() + chance.randint(5, 25)


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_thousand_submissions_while_workers_are_killed(vendor: str, tmp_path: Path) -> None:
    started = time.monotonic()
    with installation(vendor, tmp_path) as inst:
        token = inst.manage("issue_token", "crash_registrar").stdout.strip()
        user_id = inst.source.value("SELECT id FROM accounts_user WHERE username = 'crash_registrar'")
        keys = [str(uuid.uuid4()) for _ in range(SUBMISSIONS)]
        with gunicorn(inst, workers=4, threads=4) as server:
            base = f"http://127.0.0.1:{server.port}"  # type: ignore[attr-defined]
            done: list[int] = []

            def submit(n: int) -> tuple[int, str, int]:
                answer = submit_until_answered(base, token, n, keys[n], deadline)
                done.append(n)
                return answer

            killer = Killer(server, lambda: len(done))
            killer.start()
            deadline = time.monotonic() + 600  # a verdict on correctness, not speed
            try:
                with ThreadPoolExecutor(CLIENTS) as pool:
                    answers = list(pool.map(submit, range(SUBMISSIONS)))
            finally:
                killer.stop.set()
                killer.join()

            # Twenty requests with one key at the same moment, the workers left alone: one case.
            barrier = threading.Barrier(TWINS)
            twin_key = str(uuid.uuid4())

            def twin(_: int) -> tuple[int, object]:
                barrier.wait(timeout=30)
                return post_case(base, token, case_body(SUBMISSIONS), twin_key)

            with ThreadPoolExecutor(TWINS) as pool:
                twins = list(pool.map(twin, range(TWINS)))

        assert killer.killed >= SUBMISSIONS // 50, f"only {killer.killed} workers were killed"
        retries = sum(r for _, _, r in answers)
        assert retries > 0, "no request was cut off by a kill: the test proved nothing"
        statuses = Counter(status for status, _, _ in answers)
        assert set(statuses) <= {200, 201}
        references = [ref for _, ref, _ in answers]
        assert len(set(references)) == SUBMISSIONS  # every key its own case

        db = inst.source
        # Every answered case stored exactly once, and nothing else: as many cases as keys.
        stored = Counter(ref for (ref,) in db.rows("SELECT reference FROM cases_case"))
        assert all(stored[ref] == 1 for ref in references)
        assert sum(stored.values()) == SUBMISSIONS + 1  # the thousand and the twins' one
        # Each client's key holds the reference the client was given.
        kept = dict(db.rows(f"SELECT key, body FROM idempotency_idempotencyrecord WHERE scope = 'user:{user_id}'"))
        assert len(kept) == SUBMISSIONS + 1
        for key, ref in zip(keys, references, strict=True):
            assert f'"reference": "{ref}"' in kept[key] or f'"reference":"{ref}"' in kept[key]
        # Every case has exactly one registration on its timeline (no case without one, none twice).
        registered = Counter(case_id for (case_id,) in db.rows("SELECT case_id FROM audit_event WHERE action = 'registered'"))
        case_ids = [case_id for (case_id,) in db.rows("SELECT id FROM cases_case")]
        assert all(registered[case_id] == 1 for case_id in case_ids)
        assert sum(registered.values()) == len(case_ids)

        twin_statuses = Counter(status for status, _ in twins)
        assert set(twin_statuses) <= {200, 201}, twins
        assert len({answer["reference"] for _, answer in twins}) == 1  # type: ignore[index]
        assert db.value(f"SELECT count(*) FROM cases_case WHERE description = '第{SUBMISSIONS}件：崩溃与备份测试'") == 1

        verified = inst.manage("verify_audit", check=False)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "审计链完整" in verified.stdout
    print(f"{vendor}: {SUBMISSIONS} cases, {killer.killed} workers killed, {retries} retries, "
          f"{time.monotonic() - started:.0f} s")
