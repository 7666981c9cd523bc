"""`flatminima verify` on a terminal and into a file or pipe: no hard wrapping, no progress
bars and a parsable summary line when piped; "claim k of n" with the time left on a terminal;
a claim's values capped in the terminal (all of them stay in --json)."""

import io
import json
import re
import subprocess
import sys

from rich.console import Console

from verify.cli import main
from verify.report import table, terminal
from verify.report.serialize import support_text, tier_text

PROGRESS_MARKS = ("\r", "\x1b", "╸", "╺", "claim 1 of", "elapsed")


def test_piped_output_has_whole_rows_no_progress_and_a_summary_line(tmp_path):
    """A real pipe (a subprocess): each claim's table row is one line with its whole tier,
    cases, digits and time; nothing of a progress display; the last line parses."""
    path = tmp_path / "r.json"
    command = [sys.executable, "-m", "verify.cli", "verify", "H4", "G2", "--json", str(path)]
    command += ["--workers", "1"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    out, err = done.stdout, done.stderr
    for mark in PROGRESS_MARKS:
        assert mark not in out and mark not in err, mark
    records = json.loads(path.read_text())["claims"]
    lines = out.splitlines()
    for record in records:
        (row,) = [line for line in lines if line.startswith(f"│ {record['id']} ")]
        cells = [cell.strip() for cell in row.strip("│").split("│")]
        assert cells == [
            record["id"],
            record["status"],
            record["verdict"],
            tier_text(record),
            str(record["cases"]),
            support_text(record),
            f"{record['seconds']:.2f}s",
        ]
    assert lines[-1] == "summary: verified=2 refuted=0 inconclusive=0 error=0 unexpected=0 " + (
        "load_errors=0"
    )
    assert terminal.parse_summary(lines[-1]) == {
        "verified": 2,
        "refuted": 0,
        "inconclusive": 0,
        "error": 0,
        "unexpected": 0,
        "load_errors": 0,
    }


def test_captured_output_is_the_piped_kind_with_long_lines_unbroken(capsys):
    """In-process (stdout is no terminal either): no line is cut at 80 columns."""
    assert main(["verify", "H4"]) == 0
    out, err = capsys.readouterr()
    assert "symbolic (all sizes) + exact" in out and "\r" not in out + err
    assert out.splitlines()[-1].startswith("summary: verified=1 ")


def test_a_narrow_terminal_table_never_breaks_a_number():
    record = {
        "id": "H4",
        "status": "proved",
        "verdict": "verified",
        "as_expected": True,
        "tier": "symbolic",
        "scope": "all sizes",
        "numeric_tier": "exact",
        "cases": 123456,
        "digits": 49.0,
        "seconds": 12345.678,
    }
    buffer = io.StringIO()
    Console(file=buffer, width=40, force_terminal=True, color_system=None).print(
        table.results_table([record])
    )
    text = buffer.getvalue()
    assert "123456" in text and "12345.68s" in text and " 49 " in text


def _refuted(count: int) -> dict:
    return {
        "id": "X1",
        "status": "false",
        "verdict": "refuted",
        "message": "it is false",
        "counterexample": None,
        "values": {f"v{i}": f"{i}.5" for i in range(count)},
    }


def _details(record: dict) -> list[str]:
    buffer = io.StringIO()
    table.print_details(Console(file=buffer, width=200, color_system=None), [record])
    return buffer.getvalue().splitlines()


def test_details_show_at_most_the_cap_and_say_how_many_more_are_in_json():
    lines = _details(_refuted(50))
    shown = [line for line in lines if re.fullmatch(r"  v\d+ = .*", line)]
    assert len(shown) == table.DETAILS_SHOWN == 8
    assert shown[0] == "  v0 = 0.5" and shown[-1] == "  v7 = 7.5"
    assert lines[-1] == "  … and 42 more values in --json"
    assert _details(_refuted(9))[-1] == "  … and 1 more value in --json"


def test_details_under_the_cap_are_all_shown_with_no_note():
    lines = _details(_refuted(8))
    assert sum(line.startswith("  v") for line in lines) == 8
    assert not any("more value" in line for line in lines)


def test_claim_line_formats_position_elapsed_and_remaining():
    assert terminal.claim_line(3, 38, 72, 250) == "claim 3 of 38 · 1:12 elapsed · about 4:10 left"
    assert terminal.claim_line(1, 38, 0.4, None) == (
        "claim 1 of 38 · 0:00 elapsed · estimating time left"
    )
    assert terminal.claim_line(38, 38, 3725, 0) == (
        "claim 38 of 38 · 1:02:05 elapsed · about 0:00 left"
    )
    assert terminal.remaining_estimate(10.0, 0, 38) is None
    assert terminal.remaining_estimate(10.0, 2, 6) == 20.0
    assert terminal.remaining_estimate(10.0, 2.5, 6) == 14.0


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_run_progress_shows_the_claim_line_above_the_bar():
    buffer, clock = io.StringIO(), Clock()
    console = Console(file=buffer, width=100, force_terminal=True, color_system=None)
    with terminal.RunProgress(console, 4, now=clock) as progress:
        first = progress.add_task("  H4 cases", total=10)
        progress.advance(first)
        clock.t += 30.0
        progress.update(first, completed=10)  # claim 1 of 4 done in 30 s
        second = progress.add_task("  G2 cases", total=10)
        for _ in range(5):
            progress.advance(second)
        assert progress.text() == "claim 2 of 4 · 0:30 elapsed · about 0:50 left"
        progress.live.refresh()
    shown = buffer.getvalue()
    assert "claim 2 of 4 · 0:30 elapsed · about 0:50 left" in shown
    assert "G2 cases" in shown and "5/10" in shown
    assert [t.description for t in progress.progress.tasks] == ["  G2 cases"]  # H4's gone


def test_run_progress_shows_a_bar_per_running_claim_and_finish_removes_one():
    """Workers (verify/casework.py) run several claims at once: a bar each, under one line;
    a claim's bar at 100% stays until its record is made (`finish`)."""
    buffer, clock = io.StringIO(), Clock()
    console = Console(file=buffer, width=100, force_terminal=True, color_system=None)
    with terminal.RunProgress(console, 3, now=clock) as progress:
        p5, f3 = progress.add_task("  P5 cases", total=8), progress.add_task("  F3 cases", total=4)
        progress.advance(p5, 8)
        progress.advance(f3, 1)
        assert progress.finished == 0 and len(progress.progress.tasks) == 2
        progress.live.refresh()
        progress.finish(p5)
        assert progress.finished == 1 and progress.text().startswith("claim 2 of 3")
    shown = buffer.getvalue()
    assert "P5 cases" in shown and "8/8" in shown and "1/4" in shown
    assert [t.description for t in progress.progress.tasks] == ["  F3 cases"]


def test_run_progress_shows_nothing_when_not_shown():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True)
    with terminal.RunProgress(console, 1, shown=False) as progress:
        task = progress.add_task("  H4 cases", total=2)
        progress.advance(task)
        progress.update(task, completed=2)
    assert buffer.getvalue() == ""
    assert terminal.progress(1).shown is False  # under pytest stdout is no terminal


def test_verify_drives_the_claim_line_on_a_terminal(monkeypatch, capsys):
    """The CLI's progress is the RunProgress: on a (fake) terminal it says claim k of n."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, force_terminal=True, color_system=None)
    made = []

    def fake_progress(n):
        made.append(terminal.RunProgress(console, n, shown=True))
        return made[-1]

    monkeypatch.setattr(terminal, "progress", fake_progress)
    assert main(["verify", "H4", "G6", "--workers", "1"]) == 0
    capsys.readouterr()
    (progress,) = made
    assert progress.n == 2 and progress.started == 2 and progress.finished == 2
    assert "claim 1 of 2 · " in buffer.getvalue()
    assert progress.text().startswith("claim 2 of 2 · ")


def test_a_verified_measurement_shows_its_first_values_and_how_many_more():
    record = {**_refuted(10), "status": "paper", "verdict": "verified", "support": None}
    (line,) = _details(record)
    assert line.startswith("X1 found: v0 = 0.5, v1 = 1.5, ")
    assert line.endswith("v5 = 5.5, … and 4 more in --json")
    (line,) = _details({**record, "values": {"v0": "1"}})
    assert line == "X1 found: v0 = 1"
