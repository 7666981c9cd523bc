"""The built-in claims, one module (or package) per `Family`, mirroring docs/claims/ one to one:
`linear/` (docs/claims/linear.md), `scalar`, `dynamics`, `perceptron`, `nonlinear`. Each holds
declarations (`CLAIMS`) and checks; numerics live in the numeric packages (verify/linear/,
verify/dynamics/, verify/perceptron/, verify/nonlinear/). Only verify/catalogue.py imports
this package."""
