"""Deep linear networks (docs/claims/linear.md): curvature at global minima (H1–H3), flattest
minima (F1–F3, F5–F8), and where GD and SGD land (F4, F4b, F4c, F6b; F9, F9b–F9d).

- `curvature`: H1, H2, H3;
- `flattest`: F1, F2, F3, F5, F5b, F6, F7, F8;
- `resnet`: F4, F4b, F4c (zero-init linear ResNet GD reaches a flattest minimum) and F6b (its
  limit is coupled along the top path);
- `stability`: F9 (GD) and F9d (mini-batch SGD), λ_max ≤ 2/η after convergence;
- `step_trend`: F9b, F9c (larger η reaches flatter minima, from small / large init).

The training cases, runs and strategies are numerics: verify/linear/runs.py,
verify/linear/run_strategies.py, verify/linear/resnet.py.
"""

from verify.claims.linear import curvature, flattest, resnet, stability, step_trend

CLAIMS = [
    *curvature.CLAIMS,
    *flattest.CLAIMS,
    *resnet.CLAIMS,
    *stability.CLAIMS,
    *step_trend.CLAIMS,
]
