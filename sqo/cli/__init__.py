"""The `sqo` command line. A Ctrl-C while its modules load reads as one line, not a traceback."""

import os

from sqo.cli.interrupt import install

# pydantic looks for plugins in every installed package's metadata the first time a model is
# built: about 35 ms of each command's start-up, for plugins sqo never uses. A value the user set
# is kept.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

install()
