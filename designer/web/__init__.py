"""The browser front end's shared parts: session state, bound widgets, charts. Pages import these; the
command line never does."""
