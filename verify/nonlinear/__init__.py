"""Networks with homogeneous activations (ReLU, leaky ReLU, linear) at arbitrary precision."""
