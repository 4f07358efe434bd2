"""Reference solutions: the same files and public names as ``exercises/``."""
