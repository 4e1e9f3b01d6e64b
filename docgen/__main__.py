"""``python -m docgen``: the same command line as the ``docgen`` script."""

import sys

from docgen import main

sys.exit(main())
