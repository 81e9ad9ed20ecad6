"""``python -m console.audit verify|checkpoint|anchors ...`` (the same as ``main.py audit``)."""

import sys

from console.audit.cli import audit_main

sys.exit(audit_main(sys.argv[1:]))
