"""Printers of verdicts: JSON (the single source), terminal tables, counterexample files."""
