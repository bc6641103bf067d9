"""``python -m ovms_core`` runs the ``ovms`` command."""

import sys

from ovms_core.cli import main

sys.exit(main())
