"""``python -m skrnn.cli``: the ``skrnn`` command."""

import sys

from . import main

sys.exit(main())
