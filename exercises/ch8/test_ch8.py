"""Chapter 8's checks: ``pytest exercises/ch8`` (add ``--impl=solutions`` to run them on the references)."""
from autograder.pytest_plugin import chapter_tests

globals().update(chapter_tests("ch8"))
