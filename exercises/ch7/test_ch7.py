"""Chapter 7's checks: ``pytest exercises/ch7`` (add ``--impl=solutions`` to run them on the references)."""
from autograder.pytest_plugin import chapter_tests

globals().update(chapter_tests("ch7"))
