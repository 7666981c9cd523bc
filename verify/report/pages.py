"""Markdown and standalone HTML reports, rendered from one `verify --json` document.

Both say the same, from the same functions: the title and the date, the environment
(versions, precision, profile, seed) and the command that reruns the run, the verdict table,
then per claim family its claims (statement, evidence, counterexample, values) and its figures
with their captions (verify/report/captions.py). The Markdown keeps the catalogue's Unicode
text; the HTML prints statements, tiers, messages and value names as mathematics
(theory/mathhtml.py: σ1^{2−2/N} → σ<sub>1</sub><sup>2−2/<i>N</i></sup>).
"""

from __future__ import annotations

import base64
import datetime
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from theory.mathhtml import math_html
from verify.report.captions import figure_captions, figure_text
from verify.report.serialize import (
    case_text,
    effect_text,
    number_shown,
    support_text,
    tier_text,
)

Text = Callable[[str], str]  # how a report writes a piece of text: as it is, or as HTML
TITLE = "flatminima report"
COLUMNS = ("id", "status", "verdict", "tier", "cases", "digits", "seconds")


def _cell(record: dict, key: str) -> str:
    if key == "tier":
        return tier_text(record)
    if key == "digits":
        return support_text(record)
    value = record[key]
    return "-" if value is None else str(value)


def _row(record: dict) -> list[str]:
    """A claim's cells in the verdict table: COLUMNS, then the statement."""
    return [_cell(record, key) for key in COLUMNS] + [record["statement"]]


def rerun_command(document: dict) -> str:
    """The command that reproduces the run (conjecture files must be passed again)."""
    ids = " ".join(r["id"] for r in document["claims"])
    dps = document["dps"][0] if document["dps"] else 50
    return (
        f"flatminima verify {ids} --profile {document['profile']} --seed {document['seed']} "
        f"--dps {dps}"
    )


def environment_rows(document: dict) -> list[tuple[str, str]]:
    rows = [(name, version) for name, version in document["environment"].items()]
    rows += [
        ("precision (digits)", " and ".join(map(str, document["dps"] or []))),
        ("profile", document["profile"]),
        ("seed", str(document["seed"])),
    ]
    return rows


def _summary(document: dict, written: datetime.date) -> str:
    summary = document["summary"]
    return (
        f"Written {written.isoformat()} from one verify --json run: "
        f"{summary['verified']} verified, {summary['refuted']} refuted, "
        f"{summary['inconclusive']} inconclusive, {summary['error']} error; "
        f"{summary['unexpected']} not as their status demands."
    )


def _same(text: str) -> str:
    return text


def _about(record: dict, math: Text = _same, plain: Text = _same) -> str:
    """The claim's statement (written by `math`), status and source (by `plain`), one line."""
    return math(record["statement"]) + plain(f" (status {record['status']}; {record['source']})")


def _evidence(record: dict, math: Text = _same, plain: Text = _same) -> list[str]:
    """Message, origin, numeric tier, a population's effects and exceptions, and the values of
    one claim, as text lines (the counterexample apart: `_counterexample`); the messages and
    names are written by `math`, the rest (numbers, cases, places) by `plain`."""
    lines = []
    if record["message"]:
        lines.append(f"message: {math(record['message'])}")
    if record.get("origin"):
        lines.append(f"defined at: {plain(record['origin'])}")
    if record.get("numeric_tier"):
        reason = math(record["numeric_tier_reason"])
        lines.append(f"numeric tier: {plain(record['numeric_tier'])} ({reason})")
    found = record.get("support")
    if found is not None:
        for name, e in found["effect"].items():
            lines.append(f"effect {math(effect_text(name, e))} (90%, over experiments)")
        lines += [
            f"exception: {plain(case_text(x['case']))}: {math(x['mechanism'])}"
            for x in found["exceptions"]
        ]
        lines.append("values of the first experiment:")
    values = record["values"].items()
    return lines + [f"{math(name)} = {plain(number_shown(value))}" for name, value in values]


def _counterexample(record: dict) -> str | None:
    case = record["counterexample"]
    return None if case is None else case_text(case)


@dataclass(frozen=True)
class Section:
    """One claim family's part of the report: its claims, in run order, and its figures."""

    family: str
    records: list[dict] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)


def sections(document: dict, figures: list[Path]) -> list[Section]:
    """The families of the run in order of first appearance, each with its claims and the
    PNG figures named after it (`<family>_*.png`)."""
    found: dict[str, Section] = {}
    for record in document["claims"]:
        found.setdefault(record["family"], Section(record["family"])).records.append(record)
    for path in figures:
        family = path.stem.split("_", 1)[0]
        if path.suffix == ".png" and family in found:
            found[family].figures.append(path)
    return list(found.values())


def _markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]


def _markdown_claim(record: dict) -> list[str]:
    out = [f"### {record['id']} ({record['verdict']})", "", _about(record), ""]
    case = _counterexample(record)
    if case is not None:
        out += ["Counterexample:", "", "```", case, "```", ""]
    lines = _evidence(record)
    return out + (["```", *lines, "```", ""] if lines else [])


def markdown(document: dict, figures: list[Path], written: datetime.date) -> str:
    """The report as Markdown; figures are linked relative to the report's folder."""
    out = [f"# {TITLE}", "", _summary(document, written), "", "## Environment", ""]
    out += _markdown_table(["", ""], [list(row) for row in environment_rows(document)])
    out += ["", "Rerun with:", "", "    " + rerun_command(document), "", "## Verdicts", ""]
    out += _markdown_table([*COLUMNS, "statement"], [_row(r) for r in document["claims"]])
    captions = figure_captions()
    for section in sections(document, figures):
        out += ["", f"## {section.family} claims", ""]
        for record in section.records:
            out += _markdown_claim(record)
        for f in section.figures:
            alt = figure_text(f.stem).alt
            out += [f"![{alt}]({f.as_posix()})", "", f"*Figure: {captions[f.stem]}*", ""]
    return "\n".join(out).rstrip("\n") + "\n"


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 62em; margin: 2em auto; padding: 0 1em;
  color: #222; line-height: 1.4; }
.table { overflow-x: auto; }  /* a table wider than a narrow screen scrolls, not the page */
table { border-collapse: collapse; }
td, th { border: 1px solid #ccc; padding: .2em .5em; vertical-align: top; text-align: left;
  white-space: nowrap; }
td.text { white-space: normal; overflow-wrap: anywhere; min-width: 10em; }
.verified { color: #1a7f37; } .refuted { color: #b3261e; } .inconclusive { color: #9a6700; }
.error { color: #b3261e; font-weight: bold; }
pre, code { white-space: pre-wrap; overflow-wrap: anywhere; }
sub, sup { line-height: 0; }  /* scripts do not spread the lines apart */
.math i { font-family: Georgia, "Times New Roman", serif; }  /* variables as in print */
pre { background: #f6f8fa; padding: .5em; }
figure { margin: 1.5em 0; }
figure img { display: block; max-width: 100%; height: auto; }
figcaption { font-size: .92em; color: #444; margin-top: .4em; }
"""


def _figure(path: Path) -> str:
    """A PNG embedded as a data URI (the page is one self-contained file), with its caption."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    alt = html.escape(figure_text(path.stem).alt)
    caption = html.escape(figure_captions()[path.stem])
    return (
        f'<figure><img alt="{alt}" src="data:image/png;base64,{data}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )


def _html_claim(record: dict) -> str:
    esc = html.escape
    parts = [
        f'<h3 id="{esc(record["id"])}">{esc(record["id"])} '
        f'(<span class="{esc(record["verdict"])}">{esc(record["verdict"])}</span>)</h3>',
        f"<p>{_about(record, math_html, esc)}</p>",
    ]
    case = _counterexample(record)
    if case is not None:
        parts.append(f"<p>Counterexample:</p><pre>{esc(case)}</pre>")
    lines = _evidence(record, math_html, esc)
    if lines:
        parts.append(f"<pre>{chr(10).join(lines)}</pre>")
    return "\n".join(parts)


WRAPPED = ("tier", "statement")  # the verdict table's columns of text; the others never wrap


def _class(record: dict, key: str) -> str:
    """A verdict cell is coloured by the verdict; tier and statement cells wrap."""
    if key == "verdict":
        return record["verdict"]
    return "text" if key in WRAPPED else ""


def _html_rows(document: dict) -> str:
    """The verdict table's rows; its columns of text (WRAPPED) written as mathematics."""
    esc = html.escape
    rows = []
    for record in document["claims"]:
        tds = "".join(
            f'<td class="{esc(_class(record, key))}">'
            f"{(math_html if key in WRAPPED else esc)(c)}</td>"
            for key, c in zip((*COLUMNS, "statement"), _row(record), strict=True)
        )
        rows.append(f"<tr>{tds}</tr>")
    return "".join(rows)


def html_page(document: dict, figures: list[Path], written: datetime.date) -> str:
    """The report as one standalone HTML page (inline style, figures embedded): long values
    wrap, figures fit the page width."""
    esc = html.escape
    head = "".join(f"<th>{c}</th>" for c in (*COLUMNS, "statement"))
    env = "".join(
        f'<tr><td>{esc(n)}</td><td class="text">{esc(v)}</td></tr>'
        for n, v in environment_rows(document)
    )
    body = []
    for section in sections(document, figures):
        body.append(f"<h2>{esc(section.family)} claims</h2>")
        body += [_html_claim(r) for r in section.records]
        body += [_figure(f) for f in section.figures]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{TITLE}</title><style>{STYLE}</style></head><body>",
            f"<h1>{TITLE}</h1>",
            f"<p>{esc(_summary(document, written))}</p>",
            "<h2>Environment</h2>",
            f'<div class="table"><table>{env}</table></div>',
            f"<p>Rerun with:</p><pre><code>{esc(rerun_command(document))}</code></pre>",
            "<h2>Verdicts</h2>",
            f'<div class="table"><table><tr>{head}</tr>{_html_rows(document)}</table></div>',
            *body,
            "</body></html>",
            "",
        ]
    )
