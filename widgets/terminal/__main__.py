"""``python -m widgets.terminal --key FILE [--hub ENDPOINT]``: the officer's terminal app."""

import sys

from widgets.terminal.app import main

sys.exit(main())
