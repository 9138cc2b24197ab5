"""One reference answer in its own process, so its peak memory is its own:
``python -m benchmarks.reference_run EXPORT_FOLDER QUESTION OUT.json``. The time written is the
queries' (DuckDB over the export's Parquet files, the data in place), not the start-up's."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks import reference as ref
from benchmarks.questions import QUESTIONS


def main() -> None:
    folder, label, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    _args, question = QUESTIONS[label]
    db = ref.connect(folder)
    seconds, answer = ref.timed(db, question)
    out.write_text(json.dumps({"seconds": seconds, "answer": answer}, default=float))


if __name__ == "__main__":
    main()
