"""Every analytics test runs twice: on the analytics copy (DuckDB, the default) and on the
workspace database itself (the fallback when the copy cannot be opened). Both must give the
figures worked out in the tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, params=["copy", "database"])
def analytics_reads(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    monkeypatch.setenv("SQO_ANALYTICS_COPY", "required" if request.param == "copy" else "off")
    yield str(request.param)
