"""The top path of a linear network, its per-layer gains and the coupling of layers (F5, F6).

With q the top right singular vector of T (T q = σ1 p), v_0 = q and v_k = A_{k+1} q / ‖A_{k+1} q‖.
Layers k and k+1 are coupled along the path when v_k is an eigenvector of both W_k W_kᵀ and
W_{k+1}ᵀ W_{k+1} (a left singular vector of W_k equal to a right one of W_{k+1}).
"""

from __future__ import annotations

from verify.evidence import Degenerate, Evidence, equal, evidence
from verify.linear.curvature import top_eigenvector
from verify.linear.flattest import top_singular_value
from verify.linear.network import Net


def top_path(net: Net) -> list:
    """[v_0, v_1, …, v_N] (unit vectors); Degenerate when the signal dies (A_k q = 0)."""
    ctx = net.ctx
    q = top_eigenvector(ctx, net.target.T * net.target)
    path = [q]
    for k in range(1, net.depth + 1):
        forward = net.a(k + 1) * q
        size = ctx.norm(forward)
        if size == 0:
            raise Degenerate(f"the top path dies at layer {k}: W_{k}⋯W_1 q = 0")
        path.append(forward / size)
    return path


def _eigen_alignment(ctx, image, v):
    """|cos ∠(G v, v)| from `image` = G v: 1 exactly when v is an eigenvector of the symmetric
    G (or G v = 0)."""
    size = ctx.norm(image)
    return ctx.one if size == 0 else abs((v.T * image)[0]) / size


def coupling(net: Net) -> list:
    """For k = 1..N−1: min(alignment of v_k under W_kW_kᵀ, under W_{k+1}ᵀW_{k+1}); the Gram
    matrices are applied as W (Wᵀ v), never formed."""
    ctx, w, path = net.ctx, net.weights, top_path(net)
    return [
        min(
            _eigen_alignment(ctx, w[k - 1] * (w[k - 1].T * path[k]), path[k]),
            _eigen_alignment(ctx, w[k].T * (w[k] * path[k]), path[k]),
        )
        for k in range(1, net.depth)
    ]


def path_equations(net: Net) -> list[tuple[str, object, object]]:
    """F6's equations along the top path, as (name, residual, size) with σ = σ1^{1/N}:
    ‖W_k v_{k−1} − σ v_k‖ and ‖W_kᵀ v_k − σ v_{k−1}‖ for k = 1..N; `size` = max(‖W_k‖_F, σ),
    the magnitude of the two terms, which the rounding error of the residual scales with."""
    ctx, n = net.ctx, net.depth
    gain = top_singular_value(ctx, net.target) ** (ctx.one / n)
    path = top_path(net)
    out = []
    for k in range(1, n + 1):
        w, before, after = net.weights[k - 1], path[k - 1], path[k]
        size = max(ctx.mnorm(w, "F"), gain)
        out += [
            (f"W_{k} v_{k - 1} = σ1^(1/N) v_{k}", ctx.norm(w * before - gain * after), size),
            (f"W_{k}ᵀ v_{k} = σ1^(1/N) v_{k - 1}", ctx.norm(w.T * after - gain * before), size),
        ]
    return out


def coupling_evidence(net: Net, **values) -> Evidence:
    """F6's path equations as relations, with each consecutive pair's coupling as a value."""
    couplings = {f"coupling_{k + 1}_{k + 2}": c for k, c in enumerate(coupling(net))}
    return evidence(
        *(equal(residual, 0, name, size) for name, residual, size in path_equations(net)),
        **values,
        **couplings,
    )
