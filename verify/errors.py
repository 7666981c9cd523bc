"""flatminima's error base class.

Every user-facing problem (a bad option, input file, conjecture or case) is a
`FlatminimaError`; the command line reports it as one line, anything else is an internal error.
"""

from __future__ import annotations


class FlatminimaError(Exception):
    """A problem the user can fix, reported as one line (no traceback)."""


class InvalidClaim(FlatminimaError, TypeError):
    """A claim built from the wrong kind of parts (cases not a strategy, check not callable)."""
