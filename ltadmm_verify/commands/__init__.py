"""Subcommands of the ``ltadmm-verify`` command line, one module each."""
