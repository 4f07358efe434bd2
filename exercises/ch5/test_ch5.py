"""Chapter 5's checks: ``pytest exercises/ch5`` (add ``--impl=solutions`` to run them on the references)."""
from autograder.pytest_plugin import chapter_tests

globals().update(chapter_tests("ch5"))
