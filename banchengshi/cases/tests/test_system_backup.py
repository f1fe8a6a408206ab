"""Issue 10, must-show 4: a backup taken while cases are being submitted restores to a database with the same
case count and the same audit chain head as the source had at the backup's moment.

The moment, precisely: a backup is one transaction snapshot (SQLite's backup API copies in one read
transaction; pg_dump runs in a snapshot that `backup` exports and reads its figures in). Every case is
registered in the same transaction as its `registered` audit event, and audit events take their sequence
numbers under the chain head's lock held to the commit, so a snapshot holds exactly the chain's prefix up
to its head S and exactly the cases whose registration has a sequence number ≤ S. The test checks, against
the source after the load has ended: its event S has the restored head's MAC, the cases registered at
seq ≤ S are the restored database's cases (same references, same count), the restored chain verifies, the
load went on after the backup (the source has more), and the figures `backup` printed are the restored ones."""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from banchengshi.cases.tests.live_system import VENDORS, gunicorn, installation, submit_until_answered

pytestmark = pytest.mark.system
FIGURES = re.compile(r"(\d+) 件反映件；审计链至第 (\d+) 条，链尾校验码 ([0-9a-f]{64})")


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_backup_under_load_restores_the_same_cases_and_chain_head(vendor: str, tmp_path: Path) -> None:
    with installation(vendor, tmp_path) as inst:
        token = inst.manage("issue_token", "crash_registrar").stdout.strip()
        stop, submitted = threading.Event(), []
        clients: list[Future[None]] = []
        with gunicorn(inst, workers=3, threads=4) as server:
            base = f"http://127.0.0.1:{server.port}"  # type: ignore[attr-defined]

            def client(worker: int) -> None:
                n = worker * 100_000
                while not stop.is_set():
                    submitted.append(submit_until_answered(base, token, n, str(uuid.uuid4()), time.monotonic() + 120))
                    n += 1

            def until(count: int) -> None:
                limit = time.monotonic() + 180
                while len(submitted) < count:
                    failed = [f.exception() for f in clients if f.done()]
                    assert not failed and time.monotonic() < limit, failed
                    time.sleep(0.1)

            with ThreadPoolExecutor(6) as pool:
                clients.extend(pool.submit(client, worker) for worker in range(6))
                try:
                    until(30)  # under load before the backup
                    taken = inst.manage("backup", str(tmp_path / "under-load.backup"))
                    until(len(submitted) + 20)  # and after it
                finally:
                    stop.set()
            assert not [f.exception() for f in clients if f.exception()]
        printed = FIGURES.search(taken.stdout)
        assert printed is not None, taken.stdout
        cases, head_seq, head_mac = int(printed[1]), int(printed[2]), printed[3]

        target = inst.new_database("restored")
        restored = inst.manage("restore", str(tmp_path / "under-load.backup"), db=target)
        assert f"恢复完成：{cases} 件反映件；审计链至第 {head_seq} 条，链尾校验码 {head_mac}" in restored.stdout, restored.stdout
        assert "审计链完整" in restored.stdout
        verified = inst.manage("verify_audit", db=target)
        assert "审计链完整" in verified.stdout

        source = inst.source
        assert source.value(f"SELECT mac FROM audit_event WHERE seq = {head_seq}") == head_mac
        registered_by_then = sorted(ref for (ref,) in source.rows(
            "SELECT c.reference FROM cases_case c JOIN audit_event e ON e.case_id = c.id "
            f"WHERE e.action = 'registered' AND e.seq <= {head_seq}"))
        in_restored = sorted(ref for (ref,) in target.rows("SELECT reference FROM cases_case"))
        assert in_restored == registered_by_then
        assert len(in_restored) == cases > 0
        assert source.value("SELECT count(*) FROM cases_case") > cases  # the load went on past the backup
        # The restored chain is the source's up to the head, then the restore's own record.
        assert target.value(f"SELECT mac FROM audit_event WHERE seq = {head_seq}") == head_mac
        assert target.value(f"SELECT action FROM audit_event WHERE seq = {head_seq + 1}") == "database_restored"
        # The source recorded the backup, with the figures it holds.
        assert source.value("SELECT count(*) FROM audit_event WHERE action = 'backup_taken'") == 1

        # The restored database refuses a second restore over it, in Chinese, and still verifies.
        again = inst.manage("restore", str(tmp_path / "under-load.backup"), db=target, check=False)
        assert again.returncode != 0 and "只能恢复到空数据库" in again.stderr
        assert inst.manage("verify_audit", db=target).returncode == 0

        if vendor == "sqlite":  # a backup whose audit trail was rewritten restores, but says so and exits 1
            forged = tmp_path / "forged.backup"
            forged.write_bytes((tmp_path / "under-load.backup").read_bytes())
            with sqlite3.connect(forged) as db:
                db.execute("DROP TRIGGER audit_event_no_update")
                db.execute("UPDATE audit_event SET actor_label = '别人' WHERE seq = 2")
            rewritten = inst.manage("restore", str(forged), db=inst.new_database("forged"), check=False)
            assert rewritten.returncode == 1, rewritten.stdout + rewritten.stderr
            assert "审计链校验未通过" in rewritten.stderr and "第 2 条记录被篡改" in rewritten.stderr
