"""Sub-commands of ``askplan`` kept outside ``cli.py``."""
