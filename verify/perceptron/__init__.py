"""Binary and spherical perceptrons (THEORY.md §5, P1–P5): constants, enumeration, local entropy."""
