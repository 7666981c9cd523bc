"""The public registry of theory/."""

import pytest

import theory
from theory import linear


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


def test_the_registry_orders_letters_then_numbers_and_refuses_a_second_derivation(monkeypatch):
    assert list(theory._registry()) == [d.claim for d in theory.derivations()]
    claims = ["G10", "H1", "G2", "F1b", "F1"]
    assert sorted(claims, key=theory._claim_order) == ["F1", "F1b", "G2", "G10", "H1"]
    monkeypatch.setattr(theory, "_MODULES", (linear, linear))
    with pytest.raises(ValueError, match="two derivations for claim H1"):
        theory._registry()
