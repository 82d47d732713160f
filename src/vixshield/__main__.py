"""``python -m vixshield``."""

from vixshield.cli.app import main

main()
