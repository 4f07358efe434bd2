"""Fixtures of the suite's own tests."""
import pytest

from autograder.harness.loader import REPO_ROOT
from autograder.harness.registry import available_chapters


@pytest.fixture(scope="session")
def repo_root():
    return REPO_ROOT


def pytest_generate_tests(metafunc):
    if "chapter" in metafunc.fixturenames and not any(m.name == "parametrize" for m in metafunc.definition.iter_markers()):
        metafunc.parametrize("chapter", available_chapters())


@pytest.fixture(scope="session")
def grading_cache(tmp_path_factory):
    """One reference profile (time limits, curves) for every grading test of the session, measured on demand."""
    return tmp_path_factory.mktemp("grading-cache")
