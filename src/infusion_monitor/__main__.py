"""Run Infusion Monitor with ``python -m infusion_monitor``."""

import sys

from infusion_monitor.cli import main

sys.exit(main())
