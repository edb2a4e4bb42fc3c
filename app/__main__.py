"""`python -m app` and the PyInstaller entry point."""

import sys

from app.cli import main

sys.exit(main())
