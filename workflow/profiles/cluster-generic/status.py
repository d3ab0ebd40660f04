#!/usr/bin/env python3
"""Print running, success or failed for a job id (last argument). See batch_systems.py."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from batch_systems import main_status

sys.exit(main_status(sys.argv[1:]))
