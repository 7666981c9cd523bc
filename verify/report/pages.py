"""Markdown and standalone HTML reports, rendered from one `verify --json` document.

Both hold the environment (versions, precision, profile, seed: enough to rerun), the results
table, each counterexample with its values, and the figures of the claim families present.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from verify.report.serialize import (
    case_text,
    effect_text,
    number_shown,
    support_text,
    tier_text,
)

COLUMNS = ("id", "status", "verdict", "tier", "cases", "digits", "seconds")


def _cell(record: dict, key: str) -> str:
    if key == "tier":
        return tier_text(record)
    if key == "digits":
        return support_text(record)
    value = record[key]
    return "-" if value is None else str(value)


def rerun_command(document: dict) -> str:
    """The command that reproduces the run (conjecture files must be passed again)."""
    ids = " ".join(r["id"] for r in document["claims"])
    dps = document["dps"][0] if document["dps"] else 50
    return (
        f"flatminima verify {ids} --profile {document['profile']} --seed {document['seed']} "
        f"--dps {dps}"
    )


def _environment_rows(document: dict) -> list[tuple[str, str]]:
    rows = [(name, version) for name, version in document["environment"].items()]
    rows += [
        ("precision (digits)", " and ".join(map(str, document["dps"] or []))),
        ("profile", document["profile"]),
        ("seed", str(document["seed"])),
    ]
    return rows


def _details(record: dict) -> list[str]:
    """Message, origin, numeric tier and its reason, counterexample and values of one claim,
    as plain text lines."""
    lines = []
    if record["message"]:
        lines.append(f"message: {record['message']}")
    if record.get("origin"):
        lines.append(f"defined at: {record['origin']}")
    if record.get("numeric_tier"):
        lines.append(f"numeric tier: {record['numeric_tier']} ({record['numeric_tier_reason']})")
    if record["counterexample"] is not None:
        lines.append(f"counterexample: {case_text(record['counterexample'])}")
    found = record.get("support")
    if found is not None:
        for name, e in found["effect"].items():
            lines.append(f"effect {effect_text(name, e)} (90%, over experiments)")
        lines += [
            f"exception: {case_text(x['case'])}: {x['mechanism']}" for x in found["exceptions"]
        ]
        lines.append("values of the first experiment:")
    lines += [f"{name} = {number_shown(value)}" for name, value in record["values"].items()]
    return lines


def markdown(document: dict, figures: list[Path]) -> str:
    """The report as Markdown; figures are linked relative to the report's folder."""
    summary = document["summary"]
    out = [
        "# flatminima report",
        "",
        f"{summary['verified']} verified, {summary['refuted']} refuted, "
        f"{summary['inconclusive']} inconclusive, {summary['error']} error; "
        f"{summary['unexpected']} not as their status demands.",
        "",
        "| " + " | ".join(COLUMNS) + " | statement |",
        "|" + "---|" * (len(COLUMNS) + 1),
    ]
    for record in document["claims"]:
        cells = [_cell(record, key) for key in COLUMNS] + [record["statement"]]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    out += ["", "## Details", ""]
    for record in document["claims"]:
        details = _details(record)
        if details:
            out += [f"### {record['id']} ({record['verdict']})", "", "```", *details, "```", ""]
    pngs = [f for f in figures if f.suffix == ".png"]
    out += ["## Figures", ""] + [f"![{f.stem}]({f.as_posix()})" for f in pngs] + [""]
    out += ["## Environment", "", "| | |", "|---|---|"]
    out += [f"| {name} | {value} |" for name, value in _environment_rows(document)]
    out += ["", "Rerun with:", "", "    " + rerun_command(document), ""]
    return "\n".join(out)


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 70em; margin: 2em auto; color: #222; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .2em .5em; }
.verified { color: #1a7f37; } .refuted { color: #b3261e; } .inconclusive { color: #9a6700; }
.error { color: #b3261e; font-weight: bold; } pre { background: #f6f8fa; padding: .5em; }
img { max-width: 48%; }
"""


def _image(path: Path) -> str:
    """A PNG embedded as a data URI, so the page is one self-contained file."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


def html_page(document: dict, figures: list[Path]) -> str:
    """The report as one standalone HTML page (inline style, figures embedded)."""
    esc = html.escape
    head = "".join(f"<th>{c}</th>" for c in (*COLUMNS, "statement"))
    rows = []
    for record in document["claims"]:
        cells = [_cell(record, key) for key in COLUMNS] + [record["statement"]]
        tds = "".join(
            f'<td class="{esc(record["verdict"])}">{esc(c)}</td>'
            if key == "verdict"
            else f"<td>{esc(c)}</td>"
            for key, c in zip((*COLUMNS, "statement"), cells, strict=True)
        )
        rows.append(f"<tr>{tds}</tr>")
    details = []
    for record in document["claims"]:
        lines = _details(record)
        if lines:
            details.append(
                f"<h3>{esc(record['id'])} ({esc(record['verdict'])})</h3>"
                f"<pre>{esc(chr(10).join(lines))}</pre>"
            )
    env = "".join(
        f"<tr><td>{esc(n)}</td><td>{esc(v)}</td></tr>" for n, v in _environment_rows(document)
    )
    pngs = [f for f in figures if f.suffix == ".png"]
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8"><title>flatminima report</title>',
            f"<style>{STYLE}</style></head><body>",
            "<h1>flatminima report</h1>",
            f"<table><tr>{head}</tr>{''.join(rows)}</table>",
            "<h2>Details</h2>",
            *details,
            "<h2>Figures</h2>",
            *(_image(f) for f in pngs),
            "<h2>Environment</h2>",
            f"<table>{env}</table>",
            f"<p>Rerun with: <code>{esc(rerun_command(document))}</code></p>",
            "</body></html>",
            "",
        ]
    )
