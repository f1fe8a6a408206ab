"""Benchmark (issue 13): every kind of paper renders as a PDF within a second.

In-process, in a temporary installation (its own var folder and SQLite database, unless DATABASE_URL is set):
migrates, loads the district, makes the staff, registers cases and carries them through the actions (so every
paper is issued as it is in use), then renders each kind BENCH_RUNS times (default 10) after one warm-up —
the same functions the print views call (context from the snapshot and the case, template, WeasyPrint, the
Noto CJK fonts). Prints p50/p95/max wall-clock milliseconds, the median CPU time of the process (what a
render costs on a machine that is not shared) and the load average, and the verdict against the 1 s limit
(on the wall-clock p95).

    make bench-papers
    BENCH_RUNS=30 make bench-papers
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MS = 1000


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "10"))
    workdir = Path(tempfile.mkdtemp(prefix="bcs-bench-papers-"))
    os.environ.update({"BANCHENGSHI_VAR": str(workdir), "SECRET_KEY": "bench-" + os.urandom(8).hex(), "LOG_LEVEL": "WARNING"})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_district", str(ROOT / "banchengshi/dispatch/district"), stdout=open(os.devnull, "w"))  # noqa: SIM115
    for name, unit, role in (("bench_registrar", "FWZX", "registrar"), ("bench_office", "ZWB", "admin_office"),
                             ("bench_rsj", "RSJ", "handler"), ("bench_dispatcher", "FWZX", "dispatcher")):
        call_command("create_staff", name, "--unit", unit, "--role", role, "--password", "Bench-password-2026",
                     stdout=open(os.devnull, "w"))  # noqa: SIM115

    from banchengshi.accounts.models import Unit, User
    from banchengshi.cases import actions, personal
    from banchengshi.cases.models import Case, CaseDocument
    from banchengshi.dispatch.models import Matter
    from banchengshi.papers.documents import document_context, template_for
    from banchengshi.papers.render import render_paper
    from banchengshi.reports.workorder_pdf import work_order_pdf
    from banchengshi.supervision.actions import do_issue_notice

    registrar, office, rsj, dispatcher = (User.objects.get(username=n) for n in
                                          ("bench_registrar", "bench_office", "bench_rsj", "bench_dispatcher"))
    center, matter = Unit.objects.get(code="FWZX"), Matter.objects.get(code="RSJ-003")

    def register(**extra: Any) -> Case:
        return actions.do_register_case(
            acting_user=registrar, channel="window", reporter_name="王小明", reporter_phone="13912345678", center=center,
            matter=matter, business_name="失业保险金申领", window="3号窗口", reasons=["material_mismatch", "other"],
            reason_other="窗口说系统故障", description="申领失业保险金时网上一直提示未办理失业登记。" * 3,
            demand="希望尽快领到失业金", **extra)

    handled = register()
    actions.do_accept_case(handled, acting_user=registrar, handling_type="assist", complexity="simple")
    actions.do_dispatch_case(handled, acting_user=dispatcher, lead_unit=Unit.objects.get(code="RSJ"))
    order = handled.work_orders.get()
    actions.do_receive_work_order(order, acting_user=rsj)
    rejected = register()
    actions.do_reject_case(rejected, acting_user=registrar, reason="您申请的事项已超过法定申请期限。")
    notice = do_issue_notice(acting_user=office, unit=Unit.objects.get(code="RSJ"), kind="general",
                             title="关于人社局超时办理的通报", body="经查，该单位本季度有3件反映件超时办理。\n请于5个工作日内书面说明整改情况。")

    def paper(case: Case, kind: str) -> Callable[[], bytes]:
        document = CaseDocument.objects.select_related("case__center").get(case=case, kind=kind)
        reporter = personal.in_full(document.case)
        return lambda: render_paper(template_for(kind), document_context(document, reporter))

    def notice_paper() -> bytes:
        return render_paper("papers/notice.html", {"title": notice.title, "organ": notice.organ, "number": notice.number,
                                                   "notice": notice, "addressee": notice.unit.name, "signer": str(office),
                                                   "signed_by": notice.organ, "signed_on": "2026年11月30日"})

    kinds: list[tuple[str, Callable[[], bytes]]] = [
        ("回执 receipt", paper(handled, "receipt")),
        ("登记表 registration_form (2 pages)", paper(handled, "registration_form")),
        ("不予受理通知书 rejection_notice", paper(rejected, "rejection_notice")),
        ("通报 notice", notice_paper),
        ("工单 work order", lambda: work_order_pdf(order)),
    ]
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"{'paper':36} {'p50':>6} {'p95':>6} {'max':>6} {'cpu':>6} {'size':>8}  (ms; {runs} runs after one warm-up; limit {LIMIT_MS} ms)")
    worst = 0.0
    for name, render in kinds:
        render()
        times, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            pdf = render()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert pdf.startswith(b"%PDF")
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        worst = max(worst, p95)
        print(f"{name:36} {statistics.median(times):6.0f} {p95:6.0f} {times[-1]:6.0f} {statistics.median(cpu):6.0f} {len(pdf) // 1024:6d} KB")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("达标" if worst < LIMIT_MS else "未达标", f"(slowest p95 {worst:.0f} ms)")


if __name__ == "__main__":
    main()
