"""What each figure says, declared once: its title, its axes' labels and its caption.

The plotters (verify/report/*_plots.py) draw with this text; the Markdown and HTML reports,
the docs pages (`make docs`: one generated block per figure) and the PDF report caption their
figures with `figure_captions()`. Titles and labels are matplotlib mathtext (math between
$…$); a `{name}` outside the math is filled by the plotter with the data drawn (`fill`).
Captions and alt texts are plain Unicode prose. The quantities drawn are pure numbers
(λ_max, step sizes, norms, fractions, loads) unless a label gives a unit in brackets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SMOOTH = 200  # steps in the running mean drawn over the stochastic runs (dynamics figures)


@dataclass(frozen=True)
class Panel:
    """One axes' labels and title (empty: none, or shown by the panel sharing that axis)."""

    xlabel: str
    ylabel: str
    title: str = ""


@dataclass(frozen=True)
class FigureText:
    """A figure's title (the figure's own, above its panels), a one-line description (the
    image's alt text), its caption and its panels' text."""

    title: str
    alt: str
    caption: str
    panels: tuple[Panel, ...]


_DETERMINISTIC = "deterministic: GD, GD + weight decay"
_STOCHASTIC = f"stochastic: noisy inputs, SGD ({SMOOTH}-step running means)"

FIGURE_TEXT: dict[str, FigureText] = {
    "linear_sharpness_vs_step": FigureText(
        title=r"Minima found by GD: depth {depth}, $T = \mathrm{diag}(2, 1/2)$, $\Sigma_x = I$",
        alt="λ_max of GD-found minima against 2/η and the flattest value",
        caption=(
            "The sharpness λ_max of each minimum that float64 gradient descent reached "
            "(polished onto the product P = T), against its step size η, from small "
            "initialisation (blue) and large initialisation (red); the dashed curve is the "
            "stability edge 2/η (F9), the green line the flattest value over all minima with "
            "this product (F1)."
        ),
        panels=(Panel(r"step size $\eta$", r"$\lambda_{\max}$ at the polished minimum"),),
    ),
    "linear_top_path_gains": FigureText(
        title=r"Gain from the input to layer $k$ along the top path, depth {depth}",
        alt="Gain along the top path, layer by layer",
        caption=(
            "For each GD-found minimum, the norm of the top right singular vector q of the "
            "product carried through the first k layers, divided by σ₁ to the power k/N, "
            "layer by layer. F5 proves it lies in the band [1, √N] (solid and dashed lines) at "
            "a flattest minimum; the small-init minima stay at 1, the large-init ones wander."
        ),
        panels=(
            Panel(r"layer $k$ (0: the input)", r"$\|W_k \cdots W_1 q\| \;/\; \sigma_1^{k/N}$"),
        ),
    ),
    "dynamics_phases": FigureText(
        title=r"Two phases of training ($\eta$ = {eta}): fast loss decay, then slow balancing",
        alt="Loss and imbalance against the step, deterministic and stochastic runs apart",
        caption=(
            "The depth-2 scalar network w₂w₁ trained from (w₁, w₂) = (1/4, 3/2) in four "
            "regimes. Left: plain GD and GD with weight decay; right: GD on noisy inputs and "
            f"SGD (running means over {SMOOTH} steps over the faint raw traces). Top: the loss "
            "above its minimum; bottom: the imbalance |D₁₂| = |w₁² − w₂²|. Plain GD stops "
            "balancing once the loss is zero (G2); weight decay, noise and SGD keep shrinking "
            "|D₁₂| after the loss has settled: the second phase (G7)."
        ),
        panels=(
            Panel("", r"$|L - L_{\min}|$, the loss above its minimum", _DETERMINISTIC),
            Panel("", "", _STOCHASTIC),
            Panel(r"step $t + 1$ [iterations]", r"imbalance $|D_{12}| = |w_1^2 - w_2^2|$"),
            Panel(r"step $t + 1$ [iterations]", ""),
        ),
    ),
    "dynamics_paths": FigureText(
        title=r"Paths in the $(w_1, w_2)$ plane ($\eta$ = {eta})",
        alt="Paths in the (w1, w2) plane, deterministic and stochastic runs apart",
        caption=(
            "The same four runs as paths in the (w₁, w₂) plane from (1/4, 3/2). Left: plain GD "
            f"and GD with weight decay; right: noisy inputs and SGD (running means over {SMOOTH} "
            "steps over the faint raw paths). Each run first falls onto its own minimum set "
            "(w₁w₂ = 1, dashed, or 1/(1 + σ²) for noise, dotted) and then slides along it "
            "towards the balanced point (star)."
        ),
        panels=(
            Panel(r"$w_1$", r"$w_2$", _DETERMINISTIC),
            Panel(r"$w_1$", "", _STOCHASTIC),
        ),
    ),
    "nonlinear_structure": FigureText(
        title="Alignment and balance of ReLU minima against their sharpness (N2)",
        alt="Alignment and imbalance of ReLU minima against their sharpness",
        caption=(
            "For each student network (a column) trained on a ReLU teacher's data: the "
            "alignment of adjacent layers' singular vectors (top) and the normalised imbalance "
            "(bottom), averaged over layer pairs, against λ_max at every end point: GD from "
            "small initialisation by step size (circles), mini-batch SGD from the same "
            "initialisations (hollow diamonds), large initialisation with a small step "
            "(triangles, sharper) and the same-norm random rotations of the GD minima (grey "
            "crosses, drawn at their minimum's λ_max; rotated weights are not minima)."
        ),
        panels=(
            Panel(
                "",
                r"alignment $|u_1(W_k) \cdot v_1(W_{k+1})|$",
                "student {student}, teacher {teacher}, n = {samples}",
            ),
            Panel(r"$\lambda_{\max}$ at the end point (loss $< 10^{-5}$)", "normalised imbalance"),
        ),
    ),
    "perceptron_local_entropy": FigureText(
        title="Local entropy by margin class: N = {n}, M = {m}, Gaussian patterns",
        alt="Local entropy by margin class",
        caption=(
            "Around the solutions of binary-perceptron instances, grouped by margin quartile: "
            "the filled fraction of each Hamming shell, n_d divided by its size C(N, d) (top; "
            "dashed: the fraction of all weight vectors that are solutions), and the mean "
            "margin of the solutions in the shell (bottom). The shells around high-margin "
            "solutions are fuller and their neighbours' margins fall with d (P4)."
        ),
        panels=(
            Panel("", r"$n_d \,/\, \binom{N}{d}$, filled fraction of the shell"),
            Panel(
                r"Hamming distance $d$ [flipped weights]",
                r"mean margin $\kappa$ of the solutions at $d$",
            ),
        ),
    ),
    "perceptron_counts_vs_alpha": FigureText(
        title="Exhaustive enumeration: N = {n}, Gaussian patterns",
        alt="Number of solutions against α, with the first moment",
        caption=(
            "The number of solutions (margin κ ≥ 0) of binary-perceptron instances found by "
            "exhaustive enumeration, against the load α = M/N: mean over the instances with "
            "its ± 4 standard error band, median (the typical instance; zero counts drawn at "
            "1/2), and the first moment (the expected number of solutions, dashed), which the "
            "mean matches (P3)."
        ),
        panels=(
            Panel(
                r"load $\alpha = M/N$ [patterns per weight]",
                r"number of solutions ($\kappa \geq 0$)",
            ),
        ),
    ),
    "perceptron_crossover": FigureText(
        title="Where flat minima vanish: monotone local entropy against the load (P5)",
        alt="Fraction of monotone local-entropy curves against α, and its extrapolation in 1/N",
        caption=(
            "Top: the fraction of instances whose local-entropy curve around the "
            "highest-margin solution is monotone out to distance N/3, against the load α, per "
            "size N, with Wilson 4σ bands and logistic fits. Bottom: the crossover α_×(N) where "
            "that fraction is 1/2, against 1/N, for the radii N/6, N/4 and N/3, with the "
            "fitted lines α_∞ + b/N and α_∞ ± 4 SE at 1/N = 0 (squares); the red band is the "
            "literature's α ≈ 0.77–0.78."
        ),
        panels=(
            Panel(
                r"load $\alpha = M/N$ [patterns per weight]",
                r"fraction with monotone $n_0 \leq \cdots \leq n_D$",
                "around the highest-margin solution, D = N/{radius}",
            ),
            Panel(
                r"$1/N$, $N$ the number of weights",
                r"crossover $\alpha_\times(N)$",
                r"$\alpha_\times(N) = \alpha_\infty + b/N$ per radius $D$, "
                r"$\alpha_\infty \pm 4$ SE at $1/N = 0$",
            ),
        ),
    ),
}


def figure_text(name: str) -> FigureText:
    """The text of the figure `name` (a file stem such as "linear_sharpness_vs_step")."""
    return FIGURE_TEXT[name]


def figure_captions() -> dict[str, str]:
    """Each figure's caption, by file stem (the reports' and docs' figure captions)."""
    return {name: text.caption for name, text in FIGURE_TEXT.items()}


_FIELD = re.compile(r"\{(\w+)\}")


def fill(text: str, **fields: object) -> str:
    """`text` with each `{name}` outside $…$ replaced by str(fields[name]); math is left
    alone (its braces are TeX's)."""
    parts = text.split("$")
    for i in range(0, len(parts), 2):
        parts[i] = _FIELD.sub(lambda m: str(fields[m[1]]), parts[i])
    return "$".join(parts)
