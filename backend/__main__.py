"""``python -m backend`` runs the ``wikiviews`` command."""

from backend.cli import main

main()
