"""Small text helpers of the command's messages (standard library only)."""


def one_line(exc):
    """An exception's message on one line (a KeyError's without its quotes)."""
    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    return " ".join(str(text).split()) or type(exc).__name__


def names(values):
    """Column names as a comma-separated list."""
    return ", ".join(map(str, values))


def date_text(value):
    """A timestamp as its date (2013-03-01), anything else unchanged."""
    return value.date() if hasattr(value, "date") else value
