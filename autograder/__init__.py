"""d2l-exercises' grading engine: the shared harness, the checks per chapter, the pytest plugin, the CLI."""
