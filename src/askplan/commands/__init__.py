"""Sub-commands of ``askplan`` kept outside ``cli.py``."""

from __future__ import annotations

import functools


def domain_errors(f):
    """``askplan.cli.domain_errors``, looked up when the command runs (``cli`` imports these modules)."""

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        from askplan.cli import domain_errors as cli_domain_errors

        return cli_domain_errors(f)(*args, **kwargs)

    return wrapper
