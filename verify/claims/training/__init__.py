"""Where gradient descent lands on a deep linear network (THEORY.md F4, F9; variants F4b, F4c,
F6b, F9b, F9c, F9d): claims whose cases are trained by GD or SGD in float64 and polished onto
{P = T} at working precision.

- `cases`: the case types (`TrainingCase`, `StepExperiment`), the SGD data, step sizes, the
  cached float64 runs, polishing and the Lipschitz slack of λ_max shared by the checks;
- `stability`: F9 (GD) and F9d (mini-batch SGD), λ_max ≤ 2/η after convergence;
- `resnet`: F4, F4b, F4c (zero-init linear ResNet GD reaches a flattest minimum) and F6b (its
  limit is coupled along the top path);
- `step_trend`: F9b, F9c (larger η reaches flatter minima, from small / large init);
- `strategies`: the Hypothesis strategies of all of them.
"""

from verify.claims.training import resnet, stability, step_trend

CLAIMS = [*stability.CLAIMS, *resnet.CLAIMS, *step_trend.CLAIMS]
