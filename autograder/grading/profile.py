"""The reference's profile: how long each check takes on the reference solutions, and their training curves.

Time limits follow from it (``Limits.check_time``: a generous multiple of what the reference needed,
with a floor) and the feedback plots a student's curve beside the reference's. It does not depend on
the submission, so it is measured once (grading a copy of ``solutions/`` through the same sandbox,
with the flat limits) and cached under a fingerprint of the solutions, checks, harness, grader,
d2lkit, torch's version and the device: ``python -m autograder profile`` computes it ahead of time
(a Gradescope image does so at build time).
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from autograder.harness.loader import REPO_ROOT


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "d2l-exercises" / "grading"


def fingerprint(device: str) -> str:
    import torch
    digest = hashlib.sha256(f"{torch.__version__} {device}".encode())
    for folder in ("solutions", "autograder/checks", "autograder/harness", "autograder/grading", "d2lkit"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            digest.update(str(path.relative_to(REPO_ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()[:20]


def reference_profile(checks: list, *, device: str, options, platform) -> dict:
    """``{check id: {"seconds": s, "curves": {...}}}`` of the reference on ``checks`` (cached on disk)."""
    from autograder.grading.judging import judge_submission
    if not checks:
        return {}
    cache = Path(options.cache or default_cache())
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"profile-{fingerprint(device)}.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    missing = [c for c in checks if c.id not in known]
    if missing:
        with tempfile.TemporaryDirectory(prefix="d2l-profile-") as tmp:
            run = judge_submission(REPO_ROOT / "solutions", Path(tmp), missing, options, platform=platform,
                                   device=device, reference_seconds={})
        for c in missing:
            r = run.records.get(c.id)
            if r is not None:
                known[c.id] = {"seconds": r["duration"], "curves": r["curves"], "outcome": r["outcome"]}
        tmp_path = path.with_suffix(f".{os.getpid()}.tmp")
        tmp_path.write_text(json.dumps(known))
        tmp_path.replace(path)
    return {c.id: known[c.id] for c in checks if c.id in known}
