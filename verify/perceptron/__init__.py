"""Binary and spherical perceptrons (docs/claims/perceptron.md, P1–P5): constants, enumeration,
local entropy."""
