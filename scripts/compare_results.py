"""Compare two results directories output by output, the provenance stamps set aside (multihiggs.io.compare).

    .venv/bin/python scripts/compare_results.py results/ ../other-clone/results/ [--only h5 predictions metrics tables]

Exit 0 when every output both have is identical and neither has one the other lacks, 1 otherwise, 2 on bad input.
"""

import sys

from multihiggs.io.compare import main

if __name__ == "__main__":
    sys.exit(main())
