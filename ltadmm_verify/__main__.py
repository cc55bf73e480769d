"""``python -m ltadmm_verify`` runs the command line."""

import sys

from .cli import main

sys.exit(main())
