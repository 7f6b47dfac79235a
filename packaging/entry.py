"""Entry script of the frozen bundle: the same as ``outbound-console``.

``multiprocessing.freeze_support()`` must run first: CSV validation of large files uses
worker processes, and a frozen "spawn" child re-runs this executable with special arguments.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from console.cli import main

    sys.exit(main())
