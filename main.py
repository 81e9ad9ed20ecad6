"""Run the dispatch console: ``python main.py --help`` lists the modes."""

import sys

from widgets.launch import main

if __name__ == "__main__":
    sys.exit(main())
