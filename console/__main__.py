"""`python -m console` is the same as `outbound-console`."""

import sys

from console.cli import main

sys.exit(main())
