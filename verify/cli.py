"""The `flatminima` command line: list, verify, latex.

Every user-facing failure is one line on stderr, `flatminima: error: ...`, and exit status 2;
`verify` exits 1 when a claim is not as its status demands.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from verify.catalogue import UnknownClaimError, select
from verify.evidence import InvalidCase
from verify.linear.inputs import InputError, load_network
from verify.linear.sharpness import report as sharpness_report
from verify.precision import DEFAULT_DPS, MAX_DPS, MIN_DPS, PrecisionError, check_dps
from verify.profiles import DEFAULT_PROFILE, PROFILES, ProfileError, profile_settings
from verify.report import table
from verify.report.json import results_document, save_counterexample, write_json
from verify.report.latex import LatexError, compile_pdf, write_document
from verify.runner import run_claim

COUNTEREXAMPLES = Path(".flatminima/counterexamples")


class UserError(click.ClickException):
    """A problem with the user's input, reported as one line with exit status 2."""

    exit_code = 2


def _writable(path: Path) -> Path:
    """Fail early, before a long run, if `path` cannot be written."""
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}") from None
    return path


def dps_pair(dps: int | None) -> tuple[int, int]:
    """--dps N checks at N and round(1.6 N) digits (the default 50 gives 50 and 80)."""
    if dps is None:
        return DEFAULT_DPS
    return check_dps((dps, round(1.6 * dps)) if dps <= MAX_DPS / 1.6 else (dps, dps + 1))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="flatminima")
def cli() -> None:
    """Verify theorems about flat minima in deep networks at 50+ digits."""


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue as JSON.")
def list_claims(as_json: bool) -> None:
    """List the claims: ID, status, source, statement."""
    rows = [
        {"id": c.id, "status": c.status.value, "source": c.source, "statement": c.statement}
        for c in select()
    ]
    if as_json:
        click.echo(json.dumps({"claims": rows}, indent=2, ensure_ascii=False))
    else:
        Console().print(table.claims_table(rows))


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
def verify(ids, profile, dps, json_path, seed) -> int:
    """Search, check and decide claims (all when no IDS are given)."""
    claims = select(ids)
    dps = dps_pair(dps)
    profile_settings(profile)  # validates the name before anything runs
    if json_path is not None:
        _writable(json_path)
    console = Console(stderr=True)
    verdicts = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as progress:
        for claim in claims:
            expected = profile_settings(profile, claim.cost).max_examples
            task = progress.add_task(f"{claim.id:>4} cases", total=expected)
            verdict = run_claim(
                claim, profile, dps, seed, on_case=lambda t=task: progress.advance(t)
            )
            progress.update(task, completed=expected)
            verdicts.append(verdict)
    document = results_document(verdicts, profile, seed)
    out = Console()
    out.print(table.results_table(document["claims"]))
    table.print_details(out, document["claims"])
    for record in document["claims"]:
        if record["verdict"] == "refuted":
            saved = save_counterexample(record, COUNTEREXAMPLES)
            out.print(f"  saved {record['id']} counterexample to {saved}")
    out.print(table.summary_line(document["summary"]))
    if json_path is not None:
        write_json(document, json_path)
        out.print(f"wrote {json_path}")
    return 1 if document["summary"]["unexpected"] else 0


@cli.command()
@click.argument("ids", nargs=-1)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), required=True, help="LaTeX file to write."
)
@click.option("--pdf", is_flag=True, help="Also compile it with pdflatex.")
def latex(ids, output, pdf) -> None:
    """Write a standalone LaTeX document of the claims' derivations (all when no IDS)."""
    claims = select(ids)
    _writable(output)
    count = write_document(claims, output)
    click.echo(f"wrote {output} ({count} derivations)")
    if pdf:
        click.echo(f"wrote {compile_pdf(output)}")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dps", type=int, default=None, help="Working precision N (checks at N and 1.6 N).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
def sharpness(file, dps, as_json) -> None:
    """Sharpness, flatness, balance and coupling of the linear network in FILE.json.

    FILE holds {"weights": [W1, W2, ...], "sigma_x": ..., "target": ...}; W1 is the input
    layer, entries are numbers or strings like "1/100"; sigma_x defaults to the identity and
    target to the product of the weights (a global minimum).
    """
    result = sharpness_report(load_network(file), dps_pair(dps))
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    Console().print(table.sharpness_table(result, str(file)))
    if not result["is_global_minimum"]:
        click.echo("not a global minimum: λ_max and trace are of the full Hessian at this point")


@cli.command()
@click.argument("family", type=click.Choice(["linear", "dynamics", "perceptron"]))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Directory.")
@click.option("--eta", type=float, default=0.05, show_default=True, help="dynamics: step size η.")
@click.option("--mu", type=float, default=0.005, show_default=True, help="dynamics: weight decay.")
@click.option("--sigma", type=float, default=0.5, show_default=True, help="dynamics: noise σ.")
@click.option("--batch", type=int, default=1, show_default=True, help="dynamics: SGD batch size.")
@click.option("--steps", type=int, default=20000, show_default=True, help="dynamics: steps.")
@click.option("--n", "size", type=int, default=21, show_default=True, help="perceptron: N.")
@click.option("--alpha", type=float, default=0.5, show_default=True, help="perceptron: load α.")
def plot(family, output, eta, mu, sigma, batch, steps, size, alpha) -> None:
    """Write a claim family's figures (PNG and SVG) into a directory."""
    if family == "perceptron":
        from verify.report.perceptron_plots import PerceptronPlot

        spec = PerceptronPlot(size, alpha)  # validates N and α before anything runs
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create {output}: {exc.strerror}") from None
    if family == "linear":
        from verify.report.plots import plot_linear

        written = plot_linear(output)
    elif family == "perceptron":
        from verify.report.perceptron_plots import plot_perceptron

        written = plot_perceptron(output, spec)
    else:
        from verify.dynamics.trajectories import Schedule
        from verify.report.dynamics_plots import plot_dynamics

        written, runs = plot_dynamics(output, Schedule(eta, mu, sigma, batch, steps))
        for run in runs:
            if run.diverged_at is not None:
                click.echo(f"{run.name}: diverged at step {run.diverged_at} (plotted until then)")
    for path in written:
        click.echo(f"wrote {path}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI, turning every usage or input problem into one line, exit 2."""
    try:
        status = cli.main(args=argv, prog_name="flatminima", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("flatminima: interrupted", err=True)
        return 130
    except click.ClickException as exc:
        click.echo(f"flatminima: error: {exc.format_message()}", err=True)
        return 2
    except (
        UnknownClaimError,
        PrecisionError,
        ProfileError,
        LatexError,
        InputError,
        InvalidCase,
    ) as exc:
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
