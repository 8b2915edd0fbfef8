"""``python -m oasis``: the same as the ``oasis`` command."""

from oasis.cli import main

main()
