"""`python -m fixloop`."""

import sys

from fixloop.cli import main

sys.exit(main())
