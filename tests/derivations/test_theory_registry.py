"""The public registry of theory/."""

import theory


def test_derivations_are_ordered_by_claim_id():
    assert [d.claim for d in theory.derivations()] == [
        "F1",
        "F2",
        "G1",
        "G1b",
        "G2",
        "G2b",
        "G3",
        "G4",
        "G6",
        "H1",
        "H2",
        "H4",
        "N1",
        "P1",
    ]


def test_lookup_by_claim_id():
    assert theory.derivation("G2") is theory.derivations()[4]
    assert theory.derivation("G2").source == "Ginsburg 2020"
    assert theory.derivation("H4").source == "standard (scalar case of H1)"
    assert theory.derivation("X9") is None


def test_every_derivation_is_displayable_data():
    for d in theory.derivations():
        assert d.title and d.statement and "\n" not in d.statement
        assert d.shown in d.sizes and len(d.steps) >= 3
