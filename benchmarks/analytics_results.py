"""The runs of the analytics benchmark and the Markdown table made of them."""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime

TARGET_RATIO, TARGET_MB, TARGET_SCALING = 2.0, 1024.0, 10.0


@dataclass
class Run:
    seconds: float
    peak_mb: float
    exit_code: int
    stdout: str = ""


@dataclass
class Line:
    engine: str
    size: int
    label: str
    sqo: list[Run]
    reference: list[Run] = field(default_factory=list)
    compared: int | None = None
    differing: int | None = None
    examples: list[str] = field(default_factory=list)
    # Two cores shared with other work: the 1-minute load average as the line started.
    load: float = field(default_factory=lambda: os.getloadavg()[0])

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.sqo)

    @property
    def reference_median(self) -> float | None:
        return statistics.median(r.seconds for r in self.reference) if self.reference else None

    @property
    def peak(self) -> float:
        return max(r.peak_mb for r in self.sqo)

    @property
    def ratio(self) -> float | None:
        reference = self.reference_median
        return self.median / reference if reference else None


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def report(lines: list[Line], notes: list[str], options: argparse.Namespace) -> str:
    load = os.getloadavg()
    out = [
        "# Analytics benchmark: sqo against a hand-written DuckDB reference",
        "",
        *([options.note, ""] if options.note else []),
        f"Date {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}, Python "
        f"{platform.python_version()}; load average at the end {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f}. Command line: `python -m benchmarks.analytics_bench "
        f"{shlex.join(sys.argv[1:])}`.",
        "",
        "Data: benchmarks/pipeline_data.py (seed "
        f"{options.seed}), generated outside sqo: opportunities created 2023-2025 at times to the "
        "second, three segments, one history row per stage entered (drop-outs, skipped and "
        "backward moves), log-normal stays, amount and close-date changes. sqo: median and "
        f"slowest of {options.runs} fresh processes with `--json` on the analytics copy brought "
        "up to date; peak = max RSS. Reference: the same question as hand-written DuckDB SQL over "
        "the workspace's own `sqo export --format parquet`, timed as a query (data in place, "
        "process start not counted), median of the same number of runs, interleaved with sqo's. "
        "Cells: sqo's `--json` compared with the reference's rows cell for cell (floats equal to "
        "a millionth). Targets: ratio <= 2, peak < 1 GB.",
        "",
        "| engine | opportunities | command | sqo median s | sqo slowest s | reference s | ratio "
        "| sqo peak MB | cells differing | target met | load before |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for line in lines:
        reference = line.reference_median
        ratio = line.ratio
        met = (
            _yes(
                ratio is not None
                and ratio <= TARGET_RATIO
                and line.peak < TARGET_MB
                and line.differing == 0
            )
            if reference is not None
            else _yes(line.peak < TARGET_MB) + " (memory)"
        )
        cells = "" if line.compared is None else f"{line.differing} of {line.compared}"
        out.append(
            f"| {line.engine} | {line.size:,} | {line.label} | {line.median:.2f} | "
            f"{max(r.seconds for r in line.sqo):.2f} | "
            f"{'' if reference is None else f'{reference:.3f}'} | "
            f"{'' if ratio is None else f'{ratio:.1f}x'} | {line.peak:.0f} | {cells} | {met} | "
            f"{line.load:.1f} |"
        )
    scaling = _scaling(lines)
    if scaling:
        out += ["", "10x data at most 10x time (sqo median at 1M / at 100k):", "", *scaling]
    out += ["", *notes, ""]
    return "\n".join(out)


def _scaling(lines: list[Line]) -> list[str]:
    by = {(line.engine, line.size, line.label): line for line in lines}
    out = []
    for (engine, size, label), line in by.items():
        small = by.get((engine, size // 10, label))
        if small is None:
            continue
        factor = line.median / small.median
        out.append(
            f"- {engine}, {label}: {small.median:.2f} s -> {line.median:.2f} s = {factor:.1f}x "
            f"(target met: {_yes(factor <= TARGET_SCALING)})"
        )
    return out
