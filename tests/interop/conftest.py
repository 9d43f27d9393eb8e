"""The interoperability tests need the optional frameworks (skforecast, sktime, MAPIE), which
pin pandas below 3: they run in the extras environment (``make test-interop``, part of
``make test``).

Where a framework is missing (the core environment), this folder is not collected;
``make test-interop`` sets SKRNN_REQUIRE_INTEROP=1, so that there a missing framework is a
collection error rather than tests silently left out.
"""

import importlib.util
import os

FRAMEWORKS = ("skforecast", "sktime", "mapie")
MISSING = [name for name in FRAMEWORKS if importlib.util.find_spec(name) is None]

if MISSING and os.environ.get("SKRNN_REQUIRE_INTEROP") == "1":
    raise ImportError(
        f"the interoperability tests need {', '.join(MISSING)}: run them in the extras "
        "environment (make test-interop)."
    )

collect_ignore_glob = ["test_*.py"] if MISSING else []
