"""Fuzz run over mutated import files: 392 cases, and their figures in
benchmarks/results/fuzz_imports.md.

Run with `.venv/bin/python -m benchmarks.fuzz_imports_run` (options: `--cases N`, default 392;
`--seed S`, default 17). Each case takes one valid seed file (a mapped CSV, one of the four files
of a Salesforce folder, a HubSpot deals export), mutates it once (truncated, bytes deleted or
inserted, a line duplicated or swapped, a wild cell, another encoding, emptied) and imports it
into a copy of a prepared SQLite workspace (see tests/fuzz_imports_cases.py). The cases go round
the three imports and the eight kinds of mutation in turn, with positions from a seeded random
generator, so a run is the same every time. Counted:

- tracebacks: a command that ended with an exception instead of an exit code;
- rows written on refusal: refused imports after which a table's digest changed;
- truncated rows accepted: files cut inside a data row whose cut row (or a cut id) was imported.

The in-suite test (tests/integration/io/test_fuzz_imports.py) runs 50 hypothesis examples of
the same cases.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from tests.fuzz_imports_cases import (
    KINDS,
    SOURCES,
    Case,
    Outcome,
    file_of,
    prepare_workspace,
    run_case,
    write_seeds,
)

RESULTS = Path(__file__).resolve().parent / "results" / "fuzz_imports.md"


def cases(count: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    found = []
    for i in range(count):
        source = SOURCES[i % len(SOURCES)]
        kind = KINDS[(i // len(SOURCES)) % len(KINDS)]
        found.append(
            Case(
                source=source,
                file=file_of(source, rng.randrange(4)),
                kind=kind,
                at=rng.random(),
                span=rng.random(),
                pick=rng.randrange(100),
            )
        )
    return found


def report(outcomes: list[Outcome], seconds: float, seed: int) -> str:
    tracebacks = [o for o in outcomes if o.traceback]
    changed = [o for o in outcomes if o.changed_on_refusal]
    truncated = [o for o in outcomes if o.truncated_accepted]
    cut = sum(1 for o in outcomes if o.cut_inside_row)
    refused = sum(1 for o in outcomes if o.exit_code != 0)
    by = Counter((o.case.source, o.case.kind) for o in outcomes)
    lines = [
        "# Fuzzing the importers with mutated files",
        "",
        f"`.venv/bin/python -m benchmarks.fuzz_imports_run --cases {len(outcomes)} "
        f"--seed {seed}`, run {datetime.now(UTC):%Y-%m-%d}.",
        "",
        "| | |",
        "|---|---|",
        f"| machine | {platform.machine()}, Python {platform.python_version()} |",
        f"| mutated files imported | {len(outcomes)} |",
        f"| imported (exit 0) / refused | {len(outcomes) - refused} / {refused} |",
        f"| **tracebacks** | **{len(tracebacks)}** |",
        f"| **refusals that wrote rows** | **{len(changed)}** |",
        f"| files cut inside a data row | {cut} |",
        f"| **truncated rows accepted** | **{len(truncated)}** |",
        f"| time | {seconds:.1f} s |",
        "",
        "Cases per import and mutation:",
        "",
        "| import | " + " | ".join(KINDS) + " |",
        "|---|" + "---|" * len(KINDS),
    ]
    for source in SOURCES:
        lines.append(f"| {source} | " + " | ".join(str(by[(source, k)]) for k in KINDS) + " |")
    if truncated:
        lines += [
            "",
            "A file cut inside its last row: that row is accepted with the fields it lost left "
            "empty. Refusing such a row is issue 17's 'truncated final rows' item, fixed on "
            "another branch; this figure is what this build does.",
        ]
    problems = tracebacks + changed + truncated
    if problems:
        lines += ["", "Cases that broke a rule:", ""]
        for o in problems:
            what = o.traceback or (
                "rows written on refusal" if o.changed_on_refusal else "truncated row accepted"
            )
            lines.append(
                f"- {o.case.source} {o.case.file} {o.case.kind} at={o.case.at:.3f} "
                f"span={o.case.span:.3f} pick={o.case.pick}: exit {o.exit_code}, {what}"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=392)
    parser.add_argument("--seed", type=int, default=17)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sqo-fuzz-") as scratch:
        base = Path(scratch)
        write_seeds(base / "seeds")
        prepare_workspace(base / "workspace.db")
        started = time.perf_counter()
        outcomes = [
            run_case(case, base / "seeds", base / "workspace.db", base / "case")
            for case in cases(options.cases, options.seed)
        ]
        seconds = time.perf_counter() - started
    text = report(outcomes, seconds, options.seed)
    RESULTS.write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
