#!/usr/bin/env python3
"""Submit a Snakemake jobscript (last argument) to the batch system; print its job id. See batch_systems.py."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from batch_systems import main_submit

sys.exit(main_submit(sys.argv[1:]))
