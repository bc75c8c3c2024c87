"""``python -m shared.cli``: the same as ``stjarna``."""

import sys

from shared.cli.main import main

sys.exit(main())
