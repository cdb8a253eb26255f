"""``python -m samverkan.linkage encode ...``, the same as ``samverkan linkage encode``."""

import sys

from samverkan.linkage.cli import main

if len(sys.argv) < 2 or sys.argv[1] != "encode":
    sys.exit("usage: python -m samverkan.linkage encode people.csv --out encodings.json ...")
sys.exit(main(sys.argv[2:]))
