"""``python -m bot`` is the same as the ``silentgod`` command."""

from bot.cli import main

raise SystemExit(main())
