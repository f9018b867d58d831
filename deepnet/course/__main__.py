"""`python -m deepnet.course ...` is the `deepnet` command."""
import sys

from deepnet.course.cli import main

sys.exit(main())
