"""Run the dispatch console: ``python main.py --help`` lists the modes."""

import sys

from console.cli import main

if __name__ == "__main__":
    sys.exit(main())
