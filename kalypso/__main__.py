import sys

from kalypso.cli import main

sys.exit(main())
