"""Every stub fails every check with the short 'not implemented yet' message, and nothing crashes."""
import pytest

from autograder.harness.loader import REPO_ROOT, Implementation
from autograder.harness.registry import load_chapter
from support import message as run_check


@pytest.fixture(scope="module")
def stubs():
    return Implementation(REPO_ROOT / "exercises", label="stubs")


def test_every_check_fails_on_the_stubs(chapter, stubs):
    for check in load_chapter(chapter):
        if check.gpu:
            continue
        message = run_check(check, stubs)
        assert message is not None, f"{check.id} passes on the stub"
        assert message.startswith("not implemented yet: "), f"{check.id} on the stub says: {message[:300]}"
        assert len(message.splitlines()) <= 3, f"{check.id}: the stub's message should be short: {message}"


def test_the_committed_stubs_are_what_the_engine_writes():
    """``python -m autograder stubs --check``: every file of exercises/ is the stub of its reference (or the
    chapter's EXERCISES table, copied as it is)."""
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-m", "autograder", "stubs", "--check"], cwd=REPO_ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
