import sys

from dcsim.cli import main

sys.exit(main())
