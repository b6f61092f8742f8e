"""``python -m bot``: the same as the ``wikiviews-bot`` command."""

from bot.cli import main

main()
