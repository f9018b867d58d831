"""`python -m deepnet ...` is the `deepnet` command."""
import sys

from deepnet.cli import main

sys.exit(main())
