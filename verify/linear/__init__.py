"""Deep linear networks P = W_N ⋯ W_1 at arbitrary precision (docs/claims/linear.md)."""
