"""The `sqo` command line. A Ctrl-C while its modules load reads as one line, not a traceback."""

from sqo.cli.interrupt import install

install()
