"""Terminal tables of claims and verdicts (rich), printed from JSON records."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from verify.report.serialize import (
    case_text,
    effect_text,
    number_shown,
    support_text,
    tier_text,
)

_STYLE = {"verified": "green", "refuted": "red", "inconclusive": "yellow", "error": "bold red"}


def claims_table(rows: list[dict]) -> Table:
    """ID, status, family, source, statement and check (file:line) for `flatminima list`."""
    table = Table(title="flatminima claim catalogue")
    for column in ("ID", "status", "family", "source", "statement", "check"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["id"], row["status"], row["family"], row["source"], row["statement"], row["where"]
        )
    return table


def results_table(records: list[dict]) -> Table:
    """ID, status, verdict, tier, cases, digits (or supporting/experiments of a statistical
    claim), time for `flatminima verify`."""
    table = Table(title="flatminima verdicts")
    for column in ("ID", "status", "verdict", "tier", "cases", "digits", "time"):
        # A number is never broken across lines: the text columns wrap instead.
        justify = "right" if column in ("cases", "digits") else "left"
        table.add_column(column, justify=justify, no_wrap=column in _NUMBER_COLUMNS)
    for r in records:
        style = _STYLE[r["verdict"]]
        mark = "" if r["as_expected"] else " (unexpected)"
        table.add_row(
            r["id"],
            r["status"],
            f"[{style}]{r['verdict']}[/]{mark}",
            tier_text(r),
            str(r["cases"]),
            support_text(r),
            f"{r['seconds']:.2f}s",
        )
    return table


_NUMBER_COLUMNS = ("ID", "cases", "digits", "time")
FOUND_SHOWN = 6  # measured values printed for a verified paper/open claim
DETAILS_SHOWN = 8  # values printed for a claim not verified; all are in --json and the reports


def _short(text: str) -> str:
    """A number to 6 significant digits, sign and exponent kept (`number_shown`); other text
    cut to 60 characters."""
    shown = number_shown(text, 6)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def print_details(console: Console, records: list[dict]) -> None:
    """Every counterexample and every message of a verdict that is not `verified`; for a
    verified paper or open claim (a measurement), what it found, in one line; for a
    statistical claim, its population's support, effects and exceptions."""
    for r in records:
        if r["verdict"] == "verified" and r.get("support") is not None:
            console.print(f"[bold]{r['id']}[/] found: {r['message']}")
            print_support(console, r["support"])
            continue
        if r["verdict"] == "verified":
            found = [(k, v) for k, v in r["values"].items() if ":" not in k]
            if r["status"] in ("paper", "open") and found:
                shown = ", ".join(f"{k} = {_short(v)}" for k, v in found[:FOUND_SHOWN])
                more = len(found) - FOUND_SHOWN
                tail = f", … and {more} more in --json" if more > 0 else ""
                console.print(f"[bold]{r['id']}[/] found: {shown}{tail}")
            continue
        console.print(f"\n[bold]{r['id']}[/] {r['verdict']}: {r['message']}")
        print_support(console, r.get("support"))
        if r["counterexample"] is not None and r["verdict"] == "error":  # not a refutation
            console.print(f"  error on the case: {case_text(r['counterexample'])}")
        elif r["counterexample"] is not None:
            shrunk = f" (shrunk in {r['shrink_steps']} steps)" if r.get("shrink_steps") else ""
            console.print(f"  counterexample{shrunk}: {case_text(r['counterexample'])}")
        print_values(console, r["values"])


def print_values(console: Console, values: dict[str, str]) -> None:
    """The first DETAILS_SHOWN `name = value` lines, then how many more --json holds."""
    for name, value in list(values.items())[:DETAILS_SHOWN]:
        console.print(f"  {name} = {number_shown(value)}")
    more = len(values) - DETAILS_SHOWN
    if more > 0:
        plural = "s" if more > 1 else ""
        console.print(f"  … and {more} more value{plural} in --json")


def print_support(console: Console, found: dict | None) -> None:
    """A statistical claim's effects (mean over experiments, 90% interval) and exceptions."""
    if found is None:
        return
    for name, e in found["effect"].items():
        console.print(f"  effect {effect_text(name, e)}")
    for item in found["exceptions"]:
        console.print(f"  exception: {case_text(item['case'])}: {item['mechanism']}")


def summary_line(summary: dict[str, int], load_errors: int = 0) -> str:
    """Counts of each verdict, how many are not as expected, and conjecture files' problems
    (which make `verify` exit 1 too)."""
    parts = [f"{summary.get(k, 0)} {k}" for k in ("verified", "refuted", "inconclusive", "error")]
    unexpected = summary.get("unexpected", 0)
    tail = "all as expected" if unexpected == 0 else f"{unexpected} not as expected"
    if load_errors:
        plural = "s" if load_errors > 1 else ""
        tail += f"; {load_errors} conjecture load error{plural} (above)"
    return f"{', '.join(parts)}; {tail}"


def sharpness_table(result: dict, title: str) -> Table:
    """Quantity / value rows of `flatminima sharpness`."""
    low, high = result["dps"]
    caption = f"{result['digits']:.0f} digits agree between {low}- and {high}-digit evaluations"
    table = Table(title=title, caption=caption)
    table.add_column("quantity")
    table.add_column("value", overflow="fold")
    for key, value in result.items():
        if key in ("digits", "dps"):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        table.add_row(key, shown or "-")
    return table
