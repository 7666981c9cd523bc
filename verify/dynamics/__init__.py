"""Training dynamics at working precision: GD, weight decay, noise and mini-batch SGD (§4)."""
