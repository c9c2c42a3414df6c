"""``python -m bench`` (with tools/ on the path; ``make bench``)."""

import sys

from .main import main

sys.exit(main())
