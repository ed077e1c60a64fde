import sys

from reoffkit.cli import main

sys.exit(main())
