#!/usr/bin/env python3
"""Cancel the given job ids. See batch_systems.py."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from batch_systems import main_cancel

sys.exit(main_cancel(sys.argv[1:]))
