"""`python -m app` and the PyInstaller entry point."""

import multiprocessing
import sys

from app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the index build's worker processes, in a bundle
    sys.exit(main())
