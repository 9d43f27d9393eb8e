"""``python -m skrnn``: the ``skrnn`` command."""

import sys

from .cli import main

sys.exit(main())
