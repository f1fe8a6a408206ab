"""BENCHMARKS.md is written by the benchmarks themselves: each owns one section between `<!-- NAME -->` and
`<!-- /NAME -->` and replaces it on every run (appended under its heading the first time), so `make bench`
leaves one file with every figure of the same run beside the notes written by hand."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILE = ROOT / "BENCHMARKS.md"


def replace_section(name: str, heading: str, body: str) -> None:
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    section = f"{start}\n{body.strip()}\n{end}"
    current = FILE.read_text(encoding="utf-8") if FILE.exists() else "# 性能测试结果 (benchmarks)\n"
    if start in current:
        before, rest = current.split(start, 1)
        after = rest.split(end, 1)[1] if end in rest else ""
        FILE.write_text(before + section + after, encoding="utf-8")
    else:
        FILE.write_text(current.rstrip() + f"\n\n{heading}\n{section}\n", encoding="utf-8")
    print(f"written to {FILE.relative_to(ROOT)} ({name})")


def machine_line() -> str:
    """The machine, the load and the versions, for the line under a section's heading."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")),
                 platform.processor())
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    kib = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")), 0)
    versions = subprocess.run([sys.executable, "-c", "import django; print(django.get_version())"],
                              capture_output=True, text=True, check=True).stdout.strip()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{time.strftime('%Y-%m-%d %H:%M')} UTC; {os.cpu_count()} × {model}, {kib / 1024 / 1024:.1f} GiB RAM; "
            f"load average {load} at the end; Python {platform.python_version()}, Django {versions}")
