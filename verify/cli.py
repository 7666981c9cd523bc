"""The `flatminima` command line: list, verify, latex.

Every user-facing failure is one line on stderr, `flatminima: error: ...`, and exit status 2;
`verify` exits 1 when a claim is not as its status demands.
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import os
import sys
import tempfile
from pathlib import Path

import click

from verify import workers as parallel
from verify.budget import DEFAULT_CASE_BUDGET
from verify.entry import INTERRUPTS, interrupted
from verify.errors import FlatminimaError
from verify.names import DEFAULT_DPS, DEFAULT_PROFILE, FIGURE_FAMILIES, MAX_DPS, MIN_DPS, PROFILES

# Start-up imports only click and modules that import nothing heavy (`flatminima --help` in
# well under 0.3 s): SymPy, Hypothesis, mpmath, numpy, rich and matplotlib are imported inside
# the commands that use them (tests/test_imports.py checks it in a fresh interpreter).

COUNTEREXAMPLES = Path(".flatminima/counterexamples")


class UserError(click.ClickException):
    """A problem with the user's input, reported as one line with exit status 2."""

    exit_code = 2


def _writable(path: Path) -> Path:
    """Fail early, before a long run, if `path` cannot be written (its folder is created): a
    file can be made in its folder and it is no folder itself. `path` is not touched, so an
    interrupted run leaves the old file or none (files are written whole, `write_whole`)."""
    _no_file_above(path, "write")
    try:
        if path.exists() and not path.is_file() and not path.is_dir():  # /dev/stdout, a pipe
            if not os.access(path, os.W_OK):
                raise PermissionError(13, "Permission denied")
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}") from None
    if path.is_dir():
        raise UserError(f"cannot write {path}: it is a folder")
    return path


def _written(write, *args):
    """Call `write(..., path)`; an OSError (disk full, /dev/full, permissions changed during
    the run) becomes one line naming the path, exit 2."""
    try:
        return write(*args)
    except OSError as exc:
        where = exc.filename or args[-1]
        raise UserError(f"cannot write {where}: {exc.strerror or exc}") from None


def _no_file_above(path: Path, verb: str) -> None:
    """A one-line error if a folder `path` needs (itself, for `create`) is a file."""
    folders = [path, *path.parents] if verb == "create" else list(path.parents)
    for folder in folders:
        if folder.exists() and not folder.is_dir():
            raise UserError(f"cannot {verb} {path}: {folder} is a file, not a folder")


def _directory(path: Path) -> Path:
    """Create the output directory `path`, or a one-line error saying why not."""
    _no_file_above(path, "create")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create {path}: {exc.strerror}") from None
    return path


def _case_budget(ctx, param, value: float) -> float:
    """--case-budget must be finite (click's FloatRange accepts inf)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number of seconds", ctx, param)
    return value


def dps_pair(dps: int | None) -> tuple[int, int]:
    """--dps N checks at N and round(1.6 N) digits (the default 50 gives 50 and 80), for every
    N in MIN_DPS..MAX_DPS."""
    if dps is None:
        return DEFAULT_DPS
    if not MIN_DPS <= dps <= MAX_DPS:
        raise UserError(
            f"--dps {dps} is outside the supported range {MIN_DPS}..{MAX_DPS} "
            "(checks run at N and 1.6·N digits)"
        )
    from verify.precision import check_dps

    return check_dps((dps, round(1.6 * dps)))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="flatminima")
def cli() -> None:
    """Verify theorems about flat minima in deep networks at 50+ digits."""


CONJECTURES = click.option(
    "--conjectures",
    "conjecture_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A conjecture file, or a folder searched for conj_*.py and conjectures/*.py (repeatable).",
)


def load_conjectures(paths: tuple[Path, ...]) -> tuple[list, int]:
    """Load user conjectures; print each problem (file:line) as one line on stderr.

    Returns the loaded claims and how many problems there were; the other claims still run.
    """
    if not paths:
        return [], 0
    from verify import conjectures
    from verify.catalogue import catalogue

    loaded = conjectures.load(list(paths), taken=set(catalogue()))
    for error in loaded.errors:
        click.echo(f"flatminima: conjecture error: {error}", err=True)
    return loaded.claims, len(loaded.errors)


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
@CONJECTURES
def list_claims(as_json: bool, conjecture_paths) -> int:
    """List the claims: ID, status, family, source, statement and the file:line of each check
    (conjectures after the catalogue)."""
    from verify.catalogue import select
    from verify.report import table, terminal

    extra, problems = load_conjectures(conjecture_paths)
    rows = [
        {
            "id": c.id,
            "status": c.status.value,
            "family": c.family.value,
            "source": c.source,
            "statement": c.statement,
            "where": c.where,
        }
        for c in select() + extra
    ]
    if as_json:
        click.echo(json.dumps({"claims": rows}, indent=2, ensure_ascii=False))
    else:
        terminal.output_console().print(table.claims_table(rows))
    return 1 if problems else 0


@cli.command()
@click.argument("ids", nargs=-1)
@click.option(
    "--profile",
    default=DEFAULT_PROFILE,
    show_default=True,
    help=f"Search effort: {', '.join(f'{k} ({v} cases)' for k, v in PROFILES.items())}.",
)
@click.option(
    "--dps",
    type=int,
    default=None,
    help=f"Working precision N in digits ({MIN_DPS}..{MAX_DPS}); checks run at N and 1.6 N. "
    "Default: 50 and 80.",
)
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write results here.")
@click.option("--seed", type=int, default=0, show_default=True, help="Hypothesis seed.")
@click.option(
    "--case-budget",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_CASE_BUDGET,
    show_default=True,
    callback=_case_budget,
    help="Seconds one case may take at one precision; a case past it is an error (the reason "
    "shown), so nothing hangs.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=parallel.available_cores(),
    show_default=True,
    help="Run the claims, and the cases of each in batches, in parallel on this many local "
    "Dask worker processes (default: the cores this process may use; no more than there are "
    "batches; 1: serially, in this process). The JSON is the same apart from the timings.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    envvar="DASK_SCHEDULER_ADDRESS",
    help="Run the claims on the existing Dask cluster of this scheduler (tcp://HOST:8786) "
    "instead of local workers; default: $DASK_SCHEDULER_ADDRESS, unless --workers is given.",
)
@CONJECTURES
@click.pass_context
def verify(
    ctx, ids, profile, dps, json_path, seed, case_budget, workers, scheduler, conjecture_paths
) -> int:
    """Search, check and decide claims (all when no IDS are given; with --conjectures and no
    IDS, just the conjectures)."""
    from verify.catalogue import select
    from verify.profiles import profile_settings
    from verify.report import table, terminal
    from verify.report.json import (
        records_document,
        results_document,
        save_counterexample,
        write_json,
    )

    extra, problems = load_conjectures(conjecture_paths)
    if conjecture_paths and not extra and not ids:
        shown = ", ".join(map(str, conjecture_paths))
        raise UserError(f"no conjecture loaded from {shown}: nothing to verify")
    claims = select(ids, extra)
    dps = dps_pair(dps)
    profile_settings(profile)  # validates the name before anything runs
    scheduler = _scheduler(ctx, scheduler)
    if json_path is not None:
        _writable(json_path)
    progress = terminal.progress(len(claims))  # nothing shown unless on a terminal
    workers = min(workers, _tasks(claims, profile))  # no idle worker processes
    if scheduler is not None or workers > 1:
        start = (
            functools.partial(parallel.connect, scheduler, conjecture_paths)
            if scheduler is not None
            else functools.partial(parallel.local_client, workers)
        )
        records = _verify_parallel(
            start, claims, conjecture_paths, profile, dps, seed, case_budget, progress
        )
        document = records_document(records, profile, seed)
    else:
        document = results_document(
            _verify_serial(claims, profile, dps, seed, case_budget, progress), profile, seed
        )
    out = terminal.output_console()
    out.print(table.results_table(document["claims"]))
    table.print_details(out, document["claims"])
    for record in document["claims"]:
        if record["verdict"] == "refuted" and record["counterexample"] is not None:
            saved = _written(save_counterexample, record, COUNTEREXAMPLES)
            out.print(
                f"  saved {record['id']} counterexample to {saved}, {saved.with_suffix('.py')}"
            )
    out.print(table.summary_line(document["summary"], problems))
    if json_path is not None:
        _written(write_json, document, json_path)
        out.print(f"wrote {json_path}")
    if not terminal.is_terminal():  # a last line for scripts
        out.print(terminal.summary_record(document["summary"], problems))
    return 1 if document["summary"]["unexpected"] or problems else 0


def _verify_serial(claims, profile, dps, seed, budget, progress) -> list:
    """The claims' verdicts, run one after another in this process, a progress bar per claim
    counting its cases."""
    from verify import runner
    from verify.profiles import profile_settings

    verdicts = []
    with INTERRUPTS as interrupts, progress:

        def on_case(task) -> None:
            interrupts.check()
            progress.advance(task)

        for claim in claims:
            expected = profile_settings(profile, claim.cost).max_examples
            task = progress.add_task(f"{claim.id:>4} cases", total=expected)
            verdict = runner.run_claim(
                claim, profile, dps, seed, on_case=lambda t=task: on_case(t), budget=budget
            )
            interrupts.check()
            progress.update(task, completed=expected)
            verdicts.append(verdict)
    return verdicts


def _scheduler(ctx: click.Context, scheduler: str | None) -> str | None:
    """The scheduler to run on: --scheduler, else $DASK_SCHEDULER_ADDRESS unless --workers
    is given (`--workers 1` stays the serial run); both options given is an error."""
    from click.core import ParameterSource

    chosen = ctx.get_parameter_source("workers") is ParameterSource.COMMANDLINE
    from_environment = ctx.get_parameter_source("scheduler") is ParameterSource.ENVIRONMENT
    if scheduler is None or (from_environment and chosen):
        return None
    if chosen:
        raise UserError("--workers and --scheduler exclude each other (a cluster has its own)")
    given = "DASK_SCHEDULER_ADDRESS" if from_environment else "--scheduler"
    return parallel.scheduler_address(scheduler.strip(), given)


def _tasks(claims, profile: str) -> int:
    """How many tasks the claims start with on workers (verify/casework.py)."""
    from verify.casework import first_tasks

    return sum(first_tasks(claim, profile) for claim in claims)


def _verify_parallel(start, claims, paths, profile, dps, seed, budget, progress) -> list[dict]:
    """The claims' JSON records, their cases run in batches on the Dask workers of the client
    `start()` returns (verify/casework.py): a local cluster's or an existing one's. A bar per
    running claim counts its cases as batches finish, under the line "claim k of n".
    Ctrl-C, or the end, closes the client and shuts a local cluster down."""
    from verify.casework import Sweep

    with INTERRUPTS as interrupts:
        with interrupts.deferred():  # a problem is one line, before any progress bar
            client = start()
        try:
            interrupts.check()
            with progress:
                sweep = Sweep(
                    client, claims, paths, profile, dps, seed, budget, progress, interrupts.check
                )
                return sweep.run()
        finally:
            parallel.close(client)


def read_results(path: Path) -> dict:
    """A `verify --json` document, or a one-line error naming what is wrong with it."""
    from verify.claim import Family
    from verify.jsonfile import read_json
    from verify.runner import VerdictKind

    document = read_json(path, UserError, max_bytes=RESULTS_MAX_BYTES)
    if not isinstance(document, dict) or not isinstance(document.get("claims"), list):
        raise UserError(f"{path}: not a `flatminima verify --json` document (no claims list)")
    for field in DOCUMENT_FIELDS:
        if field not in document:
            raise UserError(f'{path}: not a `flatminima verify --json` document (no "{field}")')
    families, verdicts = {f.value for f in Family}, {v.value for v in VerdictKind}
    for i, record in enumerate(document["claims"]):
        if not isinstance(record, dict):
            raise UserError(f"{path}: claims[{i}] is not an object")
        missing = [field for field in RECORD_FIELDS if field not in record]
        if missing:
            name = record.get("id", f"claims[{i}]")
            shown = ", ".join(missing)
            raise UserError(f"{path}: claim {name} lacks {shown} (not from `verify --json`?)")
        if not isinstance(record["id"], str):
            raise UserError(f"{path}: claims[{i}] has a non-text id")
        if record["family"] not in families or record["verdict"] not in verdicts:
            raise UserError(
                f"{path}: claim {record['id']} has an unknown family or verdict "
                f"({record['family']!r}, {record['verdict']!r})"
            )
    return document


RESULTS_MAX_BYTES = 50_000_000  # a thorough run with every value is a few MB
DOCUMENT_FIELDS = ("profile", "seed", "dps", "summary", "claims")
RECORD_FIELDS = (
    "id",
    "statement",
    "source",
    "status",
    "family",
    "derivation",
    "verdict",
    "tier",
    "cases",
    "digits",
    "seconds",
    "dps",
    "counterexample",
    "values",
    "message",
    "as_expected",
)


@cli.command()
@click.argument("ids", nargs=-1)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="LaTeX file to write."
)
@click.option("--pdf", is_flag=True, help="Also compile it (latexmk, else pdflatex).")
@click.option(
    "--from",
    "results",
    type=click.Path(path_type=Path),
    help="A `verify --json` file: add each claim's evidence and counterexample.",
)
@CONJECTURES
def latex(ids, output, pdf, results, conjecture_paths) -> None:
    """Write a standalone LaTeX document of the claims' derivations (all when no IDS), by
    source paper; with --from, the evidence of a run (user conjectures included)."""
    from verify.catalogue import select
    from verify.report.latex import compile_pdf, write_document
    from verify.report.latex import entry as latex_entry

    if results is not None:
        records = read_results(results)["claims"]
        wanted = {i.casefold() for i in ids}
        entries = [r for r in records if not wanted or r["id"].casefold() in wanted]
    else:
        extra, _ = load_conjectures(conjecture_paths)
        entries = [latex_entry(c) for c in select(ids, extra)]
    _writable(output)
    count = _written(write_document, entries, output)
    click.echo(f"wrote {output} ({count} derivations)")
    if pdf:
        click.echo(f"wrote {compile_pdf(output)}")


@cli.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Directory.")
@click.option(
    "--from",
    "results",
    type=click.Path(path_type=Path),
    required=True,
    help="The `verify --json` file to report (the single source of every format).",
)
@click.option("--pdf", is_flag=True, help="Also compile report.tex (latexmk, else pdflatex).")
@click.option("--no-plots", is_flag=True, help="Skip the claim families' figures.")
def report(output, results, pdf, no_plots) -> None:
    """Write report.md, report.html (standalone) and report.tex from one verify run."""
    from verify.figures import family_figures
    from verify.report import pages
    from verify.report.files import write_whole
    from verify.report.json import write_json
    from verify.report.latex import compile_pdf
    from verify.report.report_latex import report_latex

    document = read_results(results)
    _directory(output)
    families = {record["family"] for record in document["claims"]}
    figures = [] if no_plots else family_figures(families, output / "img")
    relative = [f.relative_to(output) for f in figures]
    today = datetime.date.today()
    _written(write_whole, output / "report.md", pages.markdown(document, relative, today))
    _written(write_whole, output / "report.html", pages.html_page(document, figures, today))
    _written(write_json, document, output / "results.json")
    tex = output / "report.tex"
    _written(write_whole, tex, report_latex(document, relative, today.isoformat()))
    for name in ("report.md", "report.html", "results.json", "report.tex"):
        click.echo(f"wrote {output / name}")
    if pdf:
        click.echo(f"wrote {compile_pdf(tex)}")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--dps",
    type=int,
    default=None,
    help=f"Working precision N ({MIN_DPS}..{MAX_DPS}); checks run at N and 1.6 N.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option(
    "--exact",
    is_flag=True,
    help="Also λ_max exactly: closed form, minimal polynomial, isolating interval.",
)
@click.option(
    "--certified",
    is_flag=True,
    help="Also λ_max and the layer norms enclosed in Arb balls at N digits (python-flint).",
)
def sharpness(file, dps, as_json, exact, certified) -> None:
    """Sharpness, flatness, balance and coupling of the linear network in FILE.json.

    FILE holds {"weights": [W1, W2, ...], "sigma_x": ..., "target": ...}; W1 is the input
    layer, entries are numbers or strings like "1/100"; sigma_x defaults to the identity and
    target to the product of the weights (a global minimum). --exact adds λ_max as an
    algebraic number (lambda_max_exact, lambda_max_minimal_polynomial, lambda_max_interval);
    --certified adds Arb-ball enclosures (lambda_max_enclosure [lo, hi], lambda_max_radius,
    lambda_max_enclosure_digits, certified_agreement with the mpmath value,
    layer_norms_enclosure).
    """
    from rich.console import Console

    from verify.linear.inputs import load_network
    from verify.linear.sharpness import report as sharpness_report
    from verify.report import table

    result = sharpness_report(load_network(file), dps_pair(dps), exact, certified)
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    Console().print(table.sharpness_table(_intervals_shown(result), str(file)))
    if not result["is_global_minimum"]:
        click.echo("not a global minimum: λ_max and trace are of the full Hessian at this point")
    if certified:
        pinned, asked = result["lambda_max_enclosure_digits"], result["dps"][0]
        if pinned is not None and pinned < asked:
            click.echo(f"the certified enclosure pins only {pinned} digits of λ_max, not {asked}")
        if not result["certified_agreement"]:
            click.echo("the mpmath λ_max lies outside its certified enclosure (to its digits)")


def _intervals_shown(result: dict) -> dict:
    """`sharpness`'s result with each enclosure as text "[lo, hi]", for the table."""
    shown = dict(result)
    if "lambda_max_enclosure" in result:
        shown["lambda_max_enclosure"] = "[{}, {}]".format(*result["lambda_max_enclosure"])
        shown["layer_norms_enclosure"] = [
            "[{}, {}]".format(*ends) for ends in result["layer_norms_enclosure"]
        ]
        if result["lambda_max_enclosure_digits"] is None:
            shown["lambda_max_enclosure_digits"] = "all (radius 0)"
    return shown


def _finite(ctx, param, value: float) -> float:
    """A float option must be a finite number (click accepts nan and inf)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number", ctx, param)
    return value


def _finite_option(name: str, default: float, text: str):
    """A float option that must be finite, its default shown in --help."""
    return click.option(
        name, type=float, default=default, show_default=True, callback=_finite, help=text
    )


@cli.command()
@click.argument("family", type=click.Choice(FIGURE_FAMILIES))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Directory.")
@_finite_option("--eta", 0.05, "dynamics: step size η.")
@_finite_option("--mu", 0.005, "dynamics: weight decay.")
@_finite_option("--sigma", 0.5, "dynamics: noise σ.")
@click.option("--batch", type=int, default=1, show_default=True, help="dynamics: SGD batch size.")
@click.option("--steps", type=int, default=20000, show_default=True, help="dynamics: steps.")
@click.option("--n", "size", type=int, default=21, show_default=True, help="perceptron: N.")
@click.option(
    "--alpha",
    type=float,
    default=0.5,
    show_default=True,
    callback=_finite,
    help="perceptron: load α.",
)
def plot(family, output, eta, mu, sigma, batch, steps, size, alpha) -> None:
    """Write a claim family's figures (PNG and SVG) into a directory."""
    from verify.claim import Family
    from verify.figures import FIGURES

    options = {}
    if family == "perceptron":
        from verify.perceptron.survey import Survey

        options["survey"] = Survey(size, alpha)  # validates N and α before anything runs
    elif family == "dynamics":
        from verify.dynamics.trajectories import Schedule

        schedule = Schedule(eta, mu, sigma, batch, steps)
        schedule.check()  # before anything runs
        options["schedule"] = schedule
    _directory(output)
    written = FIGURES[Family(family)](output, **options)
    for note in written.notes:
        click.echo(note)
    for path in written.paths:
        click.echo(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning every usage or input problem into one line, exit 2."""
    try:
        status = cli.main(args=argv, prog_name="flatminima", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:  # Ctrl-C: click has ended the ^C line
        return interrupted()
    except click.ClickException as exc:
        click.echo(f"flatminima: error: {exc.format_message()}", err=True)
        return 2
    except FlatminimaError as exc:
        click.echo(f"flatminima: error: {exc}", err=True)
        return 2
    except Exception as exc:
        if os.environ.get("FLATMINIMA_DEBUG"):
            raise
        click.echo(
            f"flatminima: internal error: {type(exc).__name__}: {exc} "
            "(set FLATMINIMA_DEBUG=1 for the traceback)",
            err=True,
        )
        return 3
    return status if isinstance(status, int) else 0


if __name__ == "__main__":
    sys.exit(main())
