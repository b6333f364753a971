"""`python -m bot [run|console|migrate|check-config]`."""

from bot.cli import main

raise SystemExit(main())
