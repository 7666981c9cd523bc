"""Deep linear networks P = W_N ⋯ W_1 at arbitrary precision (THEORY.md §1–3)."""
