"""Warnings that point at the user's own line.

A warning raised deep inside a fit (a pipeline, a search, skorch's training loop) is
attributed to the first frame outside skrnn, scikit-learn, skorch and joblib: the line
that called them. Counted ``stacklevel`` values break whenever a call is added between.
"""

import sys
import warnings

_INTERNAL = frozenset({"skrnn", "sklearn", "skorch", "joblib"})


def warn(message, category):
    """``warnings.warn(message, category)`` at the user's frame."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] in _INTERNAL:
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
