"""The HTML review of a demo week: its sections, and its numbers equal to what the
pipeline-change, funnel and benchmarks services return for the same days (read back from the
HTML with html.parser, not by matching its layout)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sqo.cli.app import app
from sqo.domain.actor import Actor
from sqo.services.analytics import benchmark_report, funnel, pipeline_change_report
from sqo.services.forecast import forecast_report
from sqo.services.hygiene import hygiene_report
from sqo.services.review import weekly_review
from sqo.services.workspace import open_workspace

WEEK = "2026-W20"
MONDAY, SUNDAY = date(2026, 5, 11), date(2026, 5, 17)
SINCE = SUNDAY - timedelta(days=90)  # the trailing 13 weeks, Sunday included
END = datetime.combine(SUNDAY, time.max)
runner = CliRunner()


class Sections(HTMLParser):
    """Each <section id=...>: its heading, its tables (rows of cell texts), its SVG charts."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, dict[str, Any]] = {}
        self.current: dict[str, Any] | None = None
        self.cell: list[str] | None = None
        self.row: list[str] | None = None
        self.heading = False
        self.fetches: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.add(tag)
        for name in ("src", "href"):
            if found.get(name):
                self.fetches.append(str(found[name]))
        if tag == "section":
            self.current = {"title": "", "tables": [], "charts": 0}
            self.sections[str(found["id"])] = self.current
        elif self.current is None:
            return
        elif tag == "h2":
            self.heading = True
        elif tag == "table":
            self.current["tables"].append([])
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "svg":
            self.current["charts"] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self.heading = False
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None and self.current is not None:
            self.current["tables"][-1].append(self.row)
            self.row = None
        elif tag == "section":
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.heading and self.current is not None:
            self.current["title"] += data
        if self.cell is not None:
            self.cell.append(data)


def usd(cents: int, sign: bool = False) -> str:
    text = f"${abs(cents) // 100:,}"
    if sign and cents:
        return ("+" if cents > 0 else "−") + text
    return ("−" if cents < 0 else "") + text


@pytest.fixture(scope="module")
def rendered(demo_file: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("review") / "review.html"
    args = ["--db", str(demo_file.path), "review", "--week", WEEK, "--as-of", "2026-06-30"]
    result = runner.invoke(app, [*args, "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    parser = Sections()
    text = out.read_text(encoding="utf-8")
    parser.feed(text)
    return {"html": text, "parser": parser, "db": str(demo_file.path)}


def test_sections_and_charts(rendered: dict[str, Any]) -> None:
    sections = rendered["parser"].sections
    want = {"headlines", "changes", "new_sqos", "key_deals", "decisions", "funnel", "forecast"}
    want |= {"hygiene"}
    assert want | {"benchmarks", "lost_sqos", "reps"} <= set(sections)
    assert sections["changes"]["charts"] == 1
    assert sections["funnel"]["charts"] == 1
    assert sections["benchmarks"]["charts"] == 1
    assert sections["forecast"]["charts"] == 1


def test_forecast_equals_the_forecast_command(rendered: dict[str, Any]) -> None:
    ws = open_workspace(rendered["db"])
    try:
        f = forecast_report(ws, Actor("t"), period="2026-Q2", as_of=END)
    finally:
        ws.close()
    rows = dict(rendered["parser"].sections["forecast"]["tables"][0][1:])
    assert rows["Won so far"] == usd(f.won_cents)
    assert rows["P10 (nine in ten forecasts reach it)"] == usd(f.p10_cents)
    assert rows["P50"] == usd(f.p50_cents)
    assert rows["P90 (one in ten forecasts reach it)"] == usd(f.p90_cents)
    assert f.quota_cents is not None and f.gap_cents is not None
    assert rows["Quota"] == usd(f.quota_cents)
    assert rows["Gap to quota (quota − P50)"] == usd(f.gap_cents)


def test_self_contained_and_printable(rendered: dict[str, Any]) -> None:
    parser, html = rendered["parser"], rendered["html"]
    assert parser.fetches == []  # no image, style sheet or script fetched from anywhere
    assert not {"script", "link", "img", "iframe"} & parser.tags
    assert "@page { size: A4" in html
    assert "break-inside: avoid" in html


def test_waterfall_equals_pipeline_change(rendered: dict[str, Any]) -> None:
    ws = open_workspace(rendered["db"])
    try:
        change = pipeline_change_report(ws, Actor("t"), start=MONDAY, end=SUNDAY)
    finally:
        ws.close()
    rows = rendered["parser"].sections["changes"]["tables"][0]
    by_label = {r[0]: r[1:] for r in rows[1:]}
    assert by_label["Pipeline at the start"] == [f"{change.start_deals}", usd(change.start_cents)]
    assert by_label["Pipeline at the end"] == [f"{change.end_deals}", usd(change.end_cents)]
    labels = {
        "created": "New (created or newly qualified)",
        "pulled_in": "Pulled into the period",
        "amount_changes": "Amount changes",
        "pushed_out": "Pushed out of the period (slipped)",
        "won": "Won",
        "lost": "Lost",
        "demoted": "Moved back below SQO",
    }
    for bar in change.bars:
        assert by_label[labels[bar.name]] == [str(bar.deals), usd(bar.amount_cents, sign=True)]
    assert change.bars[-2].deals > 0  # lost deals: the week is not an empty one


def test_funnel_and_benchmarks_equal_their_commands(rendered: dict[str, Any]) -> None:
    ws = open_workspace(rendered["db"])
    try:
        cohorts = funnel(ws, Actor("t"), start=SINCE, end=SUNDAY, as_of=END)
        bench = benchmark_report(ws, Actor("t"), start=SINCE, end=SUNDAY, as_of=END)
    finally:
        ws.close()
    sections = rendered["parser"].sections
    steps = {r[0]: r[1:] for r in sections["funnel"]["tables"][0][1:]}
    sql = next(
        c for c in cohorts.conversions if (c.from_milestone, c.to_milestone) == ("SQL", "SQO")
    )
    assert steps["SQL → SQO"] == [
        f"{sql.entered:,}",
        f"{sql.converted:,}",
        f"{sql.open:,}",
        f"{round(sql.rate * 100)}%",
    ]
    rows = sections["benchmarks"]["tables"][0][1:]
    shown = {(r[0], r[1]): r for r in rows}
    for v in bench.verdicts:
        if v.metric not in ("sql_to_sqo", "sqo_win_rate") or v.value is None:
            continue
        row = shown[(v.label, v.segment or "All")]
        assert row[2] == f"{round(v.value * 100)}%"
        assert row[4].split()[0] == f"{v.sample:,}"


def test_hygiene_equals_the_hygiene_command(rendered: dict[str, Any]) -> None:
    ws = open_workspace(rendered["db"])
    try:
        h = hygiene_report(ws, Actor("t"), as_of=END)
    finally:
        ws.close()
    tables = rendered["parser"].sections["hygiene"]["tables"]
    by_rule = dict(tables[0][1:])
    labels = {"stale": "Stale", "next_step_overdue": "Next step overdue", "no_amount": "No amount"}
    for rule, label in labels.items():
        assert by_rule[label] == f"{h.rule_counts[rule]:,}"
    owners = {(r[0], r[1]): r[2:] for r in tables[1][1:]}
    for c in h.owner_counts:
        key = (c.owner_name or "(team)", c.team_name or "—")
        assert owners[key] == [str(c.high), str(c.medium), str(c.low), str(c.total)]
    reps = {r[0]: r for r in rendered["parser"].sections["reps"]["tables"][0][1:]}
    for c in h.owner_counts:
        if c.owner_name in reps:
            assert reps[c.owner_name][7] == str(c.total)
    assert sum(h.rule_counts.values()) > 50


def test_headlines_and_rep_table(rendered: dict[str, Any]) -> None:
    ws = open_workspace(rendered["db"])
    try:
        this = pipeline_change_report(ws, Actor("t"), start=MONDAY, end=SUNDAY)
        last = pipeline_change_report(
            ws, Actor("t"), start=MONDAY - timedelta(days=7), end=SUNDAY - timedelta(days=7)
        )
        per_owner = funnel(ws, Actor("t"), by="owner", start=SINCE, end=SUNDAY, as_of=END)
    finally:
        ws.close()
    rows = {r[0]: r[1:] for r in rendered["parser"].sections["headlines"]["tables"][0][1:]}
    pipeline = rows["Pipeline (SQOs closing in the period)"]
    assert pipeline[:2] == [usd(this.end_cents), usd(last.end_cents)]
    lost = {b.name: b for b in this.bars}["lost"]
    assert rows["Deals lost"][0] == str(lost.deals)
    reps = {r[0]: r for r in rendered["parser"].sections["reps"]["tables"][0][1:]}
    for rate in per_owner.win_rates:
        if rate.group["owner"] in reps and rate.rate is not None:
            cell = reps[rate.group["owner"]][5]
            assert cell == f"{round(rate.rate * 100)}% ({rate.won}/{rate.won + rate.lost})"


def test_json_is_the_service_schema(demo_file: Any) -> None:
    args = ["--db", str(demo_file.path), "review", "--week", WEEK, "--as-of", "2026-06-30"]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    ws = open_workspace(str(demo_file.path))
    try:
        review = weekly_review(
            ws, Actor("t"), week=WEEK, as_of=datetime.combine(date(2026, 6, 30), time.max)
        )
    finally:
        ws.close()
    assert json.loads(result.output) == json.loads(json.dumps(review.to_dict()))
    assert review.to_dict()["changes"]["reconciles"] is True


def test_markdown_and_text(demo_file: Any, tmp_path: Path) -> None:
    args = ["--db", str(demo_file.path), "review", "--week", WEEK, "--as-of", "2026-06-30"]
    md = runner.invoke(app, [*args, "--format", "md"])
    assert md.exit_code == 0, md.output
    assert md.output.startswith("# Weekly pipeline review 2026-W20: everyone")
    assert "## What changed" in md.output and "|---|---:|---:|" in md.output
    text = runner.invoke(app, [*args, "--team", "SMB (Stockholm)"])
    assert text.exit_code == 0, text.output
    assert "Weekly pipeline review 2026-W20: SMB (Stockholm)" in text.output
    assert "Priya Raman" not in text.output  # an enterprise rep


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2026-W30"], "Week 2026-W30 has not started yet (today is 2026-06-30)"),
        (["--week", "2026-53"], "'2026-53' is not a week: write it as YYYY-Www"),
        (["--team", "Nordics"], "Unknown team 'Nordics'. Known teams: Enterprise (New York)"),
        (["--rep", "Nobody"], "Unknown rep 'Nobody'. Known reps: Alva Sjöberg"),
        (["--format", "pdf"], "Unknown format 'pdf'. Formats: text, md, html, json."),
    ],
)
def test_bad_input_is_one_sentence(demo_file: Any, args: list[str], message: str) -> None:
    base = ["--db", str(demo_file.path), "review", "--as-of", "2026-06-30"]
    result = runner.invoke(app, [*base, *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_week_without_activity_says_so(demo_file: Any) -> None:
    base = ["--db", str(demo_file.path), "review", "--week", "2024-W10", "--as-of", "2026-06-30"]
    result = runner.invoke(app, [*base, "--format", "md"])
    assert result.exit_code == 0, result.output
    assert "Nothing changed in the pipeline in week 2024-W10" in result.output


def test_swedish(demo_file: Any, tmp_path: Path) -> None:
    from sqo import i18n

    out = tmp_path / "granskning.html"
    args = ["--lang", "sv", "--db", str(demo_file.path), "review", "--week", WEEK]
    result = runner.invoke(
        app, [*args, "--as-of", "2026-06-30", "--format", "html", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    parser = Sections()
    parser.feed(out.read_text(encoding="utf-8"))
    sv = i18n.catalogue("sv")
    titles = {key: s["title"] for key, s in parser.sections.items()}
    assert titles["changes"] == sv["What changed"] == "Vad som ändrades"
    assert titles["reps"] == sv["Per rep, for coaching"]
    assert '<html lang="sv">' in out.read_text(encoding="utf-8")


def test_a_future_as_of_is_refused_with_the_day_typed(demo_file: Any) -> None:
    result = runner.invoke(app, ["--db", str(demo_file.path), "review", "--as-of", "2099-01-07"])
    assert result.exit_code != 0
    # 2099-01-07 is a Wednesday: the refusal names it, not the Sunday of its week.
    assert "The as-of moment 2099-01-07 is in the future" in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_the_funnel_says_why_its_win_rate_differs_from_the_benchmarks(
    rendered: dict[str, Any],
) -> None:
    ws = open_workspace(rendered["db"])
    try:
        cohorts = funnel(ws, Actor("t"), start=SINCE, end=SUNDAY, as_of=END)
        bench = benchmark_report(ws, Actor("t"), start=SINCE, end=SUNDAY, as_of=END)
    finally:
        ws.close()
    won = next(
        c for c in cohorts.conversions if (c.from_milestone, c.to_milestone) == ("SQO", "Won")
    )
    rate = next(v for v in bench.verdicts if v.metric == "sqo_win_rate" and v.segment is None)
    assert won.open > 0  # else the two rates agree and nothing needs saying
    # The closed count and share the funnel section names are the benchmark's own figures.
    assert rate.sample == won.converted + won.dropped
    sentence = (
        f"{won.converted:,} won of {rate.sample:,} closed ({round(rate.value * 100)}%), "
        f"{won.open:,} still open."
    )
    assert sentence in " ".join(rendered["html"].split())


def test_the_overdue_sqos_the_headline_counts_and_coverage_leaves_out_are_named(
    rendered: dict[str, Any],
) -> None:
    args = ["--db", rendered["db"], "coverage", "--as-of", "2026-05-17T23:59:59", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    company = next(x for x in json.loads(result.stdout)["lines"] if x["level"] == "company")
    headline = {r[0]: r[1] for r in rendered["parser"].sections["headlines"]["tables"][0][1:]}
    overdue = company["overdue_deals"]
    assert overdue > 0  # the week has some: the note is needed
    # The headline's deals are coverage's open SQOs plus those whose close date has passed.
    assert int(headline["Deals in the pipeline"]) == company["open_deals"] + overdue
    text = " ".join(rendered["html"].split())
    assert f"The pipeline counts {overdue} open SQO(s) whose close date has passed (" in text
    note = text.split("whose close date has passed (", 1)[1].split("): coverage", 1)[0]
    assert note.count("#") == overdue
