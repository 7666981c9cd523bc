"""A near-miss bank (tests/test_near_miss.py): conjectures written with the public API.

NM*: true on the old generators (one singular basis shared by all layers, ε ∈ {0} ∪ (1, …))
and false in general, so each must come out refuted; NT*: true statements of the same shape,
which must come out verified.
"""

from hypothesis import strategies as st

from verify import Vacuous, at_most, cases, conjecture, equal, evidence

FLATTEST = cases.flattest_minima(depth=(2, 2), width=(3, 3))  # off-path blocks 2×2
NEAR = st.one_of(
    cases.global_minima(depth=(2, 3), width=(1, 3)),
    cases.near_flattest_minima(depth=(2, 3), width=(1, 3)),
)


def _sigma1(m):
    return m.ctx.sqrt(max(m.ctx.eigsy(m.target.T * m.target)[0]))


def _flat(m):
    """N σ1^{2−2/N}."""
    return m.depth * _sigma1(m) ** (2 - m.ctx.mpf(2) / m.depth)


def _path(m) -> list:
    """v_0 = q (top right singular vector of T), v_k = A_{k+1} q / ‖A_{k+1} q‖."""
    values, vectors = m.ctx.eigsy(m.target.T * m.target)
    q = vectors[:, max(range(len(values)), key=lambda i: values[i])]
    return [m.a(k + 1) * q / m.ctx.norm(m.a(k + 1) * q) for k in range(m.depth + 1)]


def _commute(m, x, y, name):
    """[X, Y] = 0, relative to ‖X‖ ‖Y‖."""
    size = m.ctx.mnorm(x, "F") * m.ctx.mnorm(y, "F")
    return equal(m.ctx.mnorm(x * y - y * x, "F"), 0, name, size=size)


def _near(m):
    """Vacuous unless λ_max < 2 λ_flat (the near-flattest minima)."""
    if m.sharpness() >= 2 * _flat(m):
        raise Vacuous("λ_max ≥ 2 λ_flat")


# --- false in general, true on the shared-basis family ---------------------------------------


@conjecture("NM1", "Flattest: [W_{k+1}ᵀW_{k+1}, W_kW_kᵀ] = 0", cases=FLATTEST, status="false")
def aligned_layers(m):
    w = m.weights
    return evidence(
        *(_commute(m, w[k].T * w[k], w[k - 1] * w[k - 1].T, f"k={k}") for k in range(1, m.depth))
    )


@conjecture("NM2", "Flattest: [A_kᵀA_k, TᵀT] = 0", cases=FLATTEST, status="false")
def partial_products_share_input_basis(m):
    t = m.target.T * m.target
    return evidence(*(_commute(m, m.a(k).T * m.a(k), t, f"k={k}") for k in range(2, m.depth + 1)))


@conjecture(
    "NM3",
    "Whitened minima: λ_max = λ_flat or λ_max ≥ (1 + 1/100) λ_flat",
    cases=NEAR,
    status="false",
)
def gap_above_flattest(m):
    lam, flat = m.sharpness(), _flat(m)
    return equal(lam, flat) if lam < flat * m.ctx.mpf(101) / 100 else at_most(flat, lam)


@conjecture(
    "NM4", "λ_max < 2 λ_flat ⇒ the gains are ‖A_{k+1} q‖ = σ1^{k/N}", cases=NEAR, status="false"
)
def near_flattest_gains_exact(m):
    _near(m)
    s1 = _sigma1(m)
    gains = m.gains()
    return evidence(
        *(equal(gains[k], s1 ** (m.ctx.mpf(k) / m.depth), f"k={k}") for k in range(1, m.depth))
    )


@conjecture(
    "NM5", "λ_max < 2 λ_flat ⇒ W_kᵀW_k v_{k−1} = σ1^{2/N} v_{k−1}", cases=NEAR, status="false"
)
def near_flattest_path_is_singular(m):
    _near(m)
    s, path, w = _sigma1(m) ** (m.ctx.mpf(2) / m.depth), _path(m), m.weights
    return evidence(
        *(
            equal(m.ctx.norm(w[k].T * w[k] * path[k] - s * path[k]), 0, f"k={k + 1}")
            for k in range(m.depth)
        )
    )


@conjecture(
    "NM6",
    "λ_max < 2 λ_flat ⇒ the imbalance vanishes on the path, D_k v_k = 0",
    cases=NEAR,
    status="false",
)
def near_flattest_balanced_on_path(m):
    _near(m)
    path = _path(m)
    return evidence(
        *(equal(m.ctx.norm(d * path[k + 1]), 0, f"k={k + 1}") for k, d in enumerate(m.balance()))
    )


@conjecture("NM7", "λ_max < 2 λ_flat ⇒ W_k v_{k−1} = σ1^{1/N} v_k (F6)", cases=NEAR, status="false")
def near_flattest_f6(m):
    _near(m)
    s, path, w = _sigma1(m) ** (m.ctx.one / m.depth), _path(m), m.weights
    return evidence(
        *(
            equal(m.ctx.norm(w[k] * path[k] - s * path[k + 1]), 0, f"k={k + 1}")
            for k in range(m.depth)
        )
    )


@conjecture("NM8", "λ_max < 2 λ_flat ⇒ ‖W_kᵀ v_k‖ = σ1^{1/N}", cases=NEAR, status="false")
def near_flattest_backward_gains(m):
    _near(m)
    s, path, w = _sigma1(m) ** (m.ctx.one / m.depth), _path(m), m.weights
    return evidence(
        *(equal(m.ctx.norm(w[k].T * path[k + 1]), s, f"k={k + 1}") for k in range(m.depth))
    )


@conjecture(
    "NM9",
    "λ_max < 2 λ_flat ⇒ ‖B_kᵀ p‖ = σ1^{(N−k)/N} (output-side gains)",
    cases=NEAR,
    status="false",
)
def near_flattest_output_gains(m):
    _near(m)
    q = _path(m)[0]
    p, s1 = m.target * q / m.ctx.norm(m.target * q), _sigma1(m)
    return evidence(
        *(
            equal(m.ctx.norm(m.b(k).T * p), s1 ** (m.ctx.mpf(m.depth - k) / m.depth), f"k={k}")
            for k in range(1, m.depth)
        )
    )


@conjecture("NM10", "λ_max < 2 λ_flat ⇒ v_kᵀ D_k v_k = 0", cases=NEAR, status="false")
def near_flattest_path_imbalance(m):
    _near(m)
    path = _path(m)
    return evidence(
        *(
            equal((path[k + 1].T * d * path[k + 1])[0], 0, f"k={k + 1}")
            for k, d in enumerate(m.balance())
        )
    )


# --- true: the top path of a flattest minimum ------------------------------------------------

FLATTEST_ANY = cases.flattest_minima(depth=(2, 4), width=(1, 3))


@conjecture("NT1", "Flattest: λ_max = N σ1^{2−2/N}", cases=FLATTEST_ANY, status="proved")
def flattest_value(m):
    return equal(m.sharpness(), _flat(m))


@conjecture("NT2", "Flattest: ‖A_{k+1} q‖ = σ1^{k/N}", cases=FLATTEST_ANY, status="proved")
def flattest_gains(m):
    s1, gains = _sigma1(m), m.gains()
    return evidence(
        *(equal(gains[k], s1 ** (m.ctx.mpf(k) / m.depth), f"k={k}") for k in range(m.depth + 1))
    )


@conjecture(
    "NT3", "Flattest: D_k v_k = 0 (balanced along the top path)", cases=FLATTEST, status="proved"
)
def flattest_balanced_on_path(m):
    path = _path(m)
    return evidence(
        *(equal(m.ctx.norm(d * path[k + 1]), 0, f"k={k + 1}") for k, d in enumerate(m.balance()))
    )


@conjecture(
    "NT4",
    "Flattest: W_kᵀW_k v_{k−1} = σ1^{2/N} v_{k−1}, W_kW_kᵀ v_k = σ1^{2/N} v_k",
    cases=FLATTEST,
    status="proved",
)
def flattest_path_is_singular(m):
    s, path, w = _sigma1(m) ** (m.ctx.mpf(2) / m.depth), _path(m), m.weights
    relations = []
    for k in range(m.depth):
        relations.append(
            equal(m.ctx.norm(w[k].T * w[k] * path[k] - s * path[k]), 0, f"right {k + 1}")
        )
        relations.append(
            equal(m.ctx.norm(w[k] * w[k].T * path[k + 1] - s * path[k + 1]), 0, f"left {k + 1}")
        )
    return evidence(*relations)


@conjecture(
    "NT5",
    "Flattest, N = 2: ‖W_k‖₂ = σ1^{1/2}",
    cases=cases.flattest_minima(depth=(2, 2), width=(1, 3)),
    status="proved",
)
def depth_two_layer_norms(m):
    root = m.ctx.sqrt(_sigma1(m))
    return evidence(
        *(
            equal(m.ctx.sqrt(max(m.ctx.eigsy(w.T * w)[0])), root, f"W{k + 1}")
            for k, w in enumerate(m.weights)
        )
    )


@conjecture(
    "NT6", "Whitened minima: λ_flat ≤ λ_max ≤ Σ_k ‖A_k‖₂²‖B_k‖₂²", cases=NEAR, status="proved"
)
def between_f1_and_h3(m):
    def norm_sq(x):
        return max(m.ctx.eigsy(x.T * x)[0]) if x.rows and x.cols else m.ctx.zero

    bound = m.ctx.fsum(norm_sq(m.a(k)) * norm_sq(m.b(k)) for k in range(1, m.depth + 1))
    lam = m.sharpness()
    return evidence(
        at_most(_flat(m), lam, "F1"), at_most(lam, bound, "H3"), epsilon=lam / _flat(m) - 1
    )
