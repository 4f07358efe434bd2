"""Root conftest: every pytest run in this repository uses the grading plugin
(options --impl, --submission, --device, markers and the points table)."""
pytest_plugins = ["autograder.pytest_plugin"]
