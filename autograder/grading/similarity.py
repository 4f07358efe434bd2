"""Suspiciously similar submissions, for a human to read (it never changes a score).

Fingerprints and comparisons are copydetect's (winnowed k-grams of the code after Pygments has
replaced every name by ``V``/``F``/``O`` and every string by ``S``, so renamed variables change
nothing, and fingerprints do not depend on where a function is, so reordered functions change nothing
either). Boilerplate, whose fingerprints never count: the stubs (``exercises/``: signatures and
docstrings), the rest of the student release (``d2lkit``, the public checks) and the book's public
code (``tests/book/``, each answer as the book writes it). The solutions are NOT boilerplate: a
leaked reference is exactly what this is for.

Files are compared module by module (``ch3/softmax_regression.py`` with the other student's
``ch3/softmax_regression.py``). A pair's score is the share of the smaller submission's own code (what
is left after the boilerplate) that the other submission has too, over the modules both wrote, and
it counts only with at least ``min_overlap`` characters of filtered code in common. To scale to a
course (2,000 students, not 2 million comparisons), candidate pairs come from an inverted index of
the fingerprints, and a fingerprint that more than ``common`` students share is an idiom of the
exercise, not evidence, and is dropped like boilerplate (MOSS does the same).
"""
from __future__ import annotations

import functools
import io
import json
import logging
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from autograder.harness.loader import REPO_ROOT

DEFAULT_THRESHOLD = 0.8       # share of the smaller submission's own code found in the other
NOISE, GUARANTEE = 25, 30     # copydetect's defaults: k-gram length and the length always detected
MIN_OVERLAP = 300             # filtered characters in common before a pair counts at all


def book_sources() -> dict[str, list[str]]:
    """``{chapter: [source, ...]}``: the book's code, from this checkout's ``tests/book/chN.py``."""
    return {chapter: [text for _, text in answers] for chapter, answers in book_answers().items()}


def book_answers() -> dict[str, list[tuple[str, str]]]:
    """``{chapter: [(exercise, source), ...]}`` in the book's order (``exercise``: "module.name")."""
    from autograder.book import book_code
    from autograder.harness.registry import available_chapters
    return {chapter: code for chapter in available_chapters() if (code := book_code(chapter))}


def boilerplate_texts(root: Path = REPO_ROOT, chapters: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """``(name, code)`` of everything a student was given or can read in the book (of ``chapters``, default all)."""
    texts = []
    mine = lambda p: chapters is None or any(part in chapters or part.removesuffix(".py") in chapters  # noqa: E731
                                             for part in p.relative_to(root).parts)
    for folder in ("exercises", "d2lkit", "autograder/checks/public"):
        for path in sorted((root / folder).rglob("*.py")):
            if folder == "d2lkit" or path.name == "__init__.py" and path.parent.name == folder.split("/")[-1] \
                    or mine(path):
                texts.append((str(path.relative_to(root)), path.read_text(errors="replace")))
    for chapter, answers in book_answers().items():
        if chapters is None or chapter in chapters:
            texts += [(f"tests/book/{chapter}.py#{i}", s) for i, (_, s) in enumerate(answers)]
            # typed in one after the other, as the book prints them: short answers (shorter than a k-gram)
            # leave no fingerprint of their own, only k-grams across the joins, so the joins are boilerplate too
            modules: dict[str, list[str]] = {}
            for exercise, s in answers:
                modules.setdefault(exercise.split(".")[0], []).append(s)
            texts += [(f"tests/book/{chapter}.py#{m}", "\n\n".join(ss)) for m, ss in modules.items()]
            texts.append((f"tests/book/{chapter}.py#all", "\n\n".join(s for _, s in answers)))
    return texts


def _fingerprint(name: str, code: str, boilerplate=None, window: int = GUARANTEE - NOISE + 1):
    from copydetect import CodeFingerprint
    return CodeFingerprint(name if name.endswith(".py") else name + ".py", NOISE, window, boilerplate,
                           fp=io.StringIO(code))


@functools.lru_cache(maxsize=4)
def _boilerplate_hashes(root: Path = REPO_ROOT, chapters: tuple[str, ...] | None = None):
    import numpy as np
    hashes = []
    for name, code in boilerplate_texts(root, chapters):
        hashes.extend(_fingerprint("x.py", code, window=1).hashes)
    return np.unique(np.array(hashes))


def find_similar(code_dirs: dict[str, Path], **options) -> list[dict]:
    """Pairs of students whose code is suspiciously similar, most similar first (``scan``'s result).

    copydetect hashes k-grams with Python's ``hash()``, which is salted per process: the same code gives
    other fingerprints, so other scores, in another process. The scan therefore runs where the salt is
    fixed (``PYTHONHASHSEED=0``: a child process when this one is not), so grade-all, gather and a rerun
    agree to the byte."""
    if os.environ.get("PYTHONHASHSEED") == "0":
        return scan(code_dirs, **options)
    request = json.dumps({"code_dirs": {k: str(v) for k, v in code_dirs.items()},
                          "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in options.items()}})
    proc = subprocess.run([sys.executable, "-m", "autograder.grading.similarity"], input=request, text=True,
                          capture_output=True, env={**os.environ, "PYTHONHASHSEED": "0"},
                          cwd=str(REPO_ROOT))
    if proc.returncode != 0:
        raise RuntimeError(f"the similarity scan failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def scan(code_dirs: dict[str, Path], *, threshold: float = DEFAULT_THRESHOLD, min_overlap: int = MIN_OVERLAP,
         common: int | None = None, chapters: list[str] | None = None, root: Path = REPO_ROOT) -> list[dict]:
    """Pairs of students whose code is suspiciously similar, most similar first::

        [{"a": "alice", "b": "bob", "score": 0.97, "overlap": 1234,
          "files": [{"file": "ch3/softmax_regression.py", "score": 0.98, "overlap": 800}, ...]}, ...]

    ``code_dirs``: ``{student: folder of .py files shaped like exercises/}``; ``chapters``: compare only those
    chapters' folders (the assignment's), default every one."""
    from copydetect import compare_files
    logging.getLogger().setLevel(max(logging.getLogger().level, logging.ERROR))   # copydetect warns per file
    boilerplate = _boilerplate_hashes(root, tuple(chapters) if chapters is not None else None)
    prints: dict[str, dict[str, object]] = {}
    for student, folder in sorted(code_dirs.items()):
        mine = {}
        for path in sorted(Path(folder).rglob("*.py")):
            rel = str(path.relative_to(folder))
            if Path(rel).name.startswith("test_") or Path(rel).name == "__init__.py":
                continue
            if chapters is not None and Path(rel).parts[0] not in chapters:
                continue
            try:
                fp = _fingerprint(rel, path.read_text(errors="replace"), boilerplate)
            except Exception:      # code Pygments cannot read is no evidence either way
                continue
            if fp.token_coverage:
                mine[rel] = fp
        prints[student] = mine
    common = common if common is not None else max(5, len(prints) // 20)
    # the inverted index: (file, hash) -> students; a hash too many students share is an idiom
    index: dict[tuple[str, int], list[str]] = defaultdict(list)
    for student, files in prints.items():
        for rel, fp in files.items():
            for h in fp.hashes:
                index[(rel, h)].append(student)
    candidates: set[tuple[str, str]] = set()
    for holders in index.values():
        if 1 < len(holders) <= common:
            candidates.update((a, b) for i, a in enumerate(holders) for b in holders[i + 1:])
    pairs = []
    for a, b in sorted(candidates):
        shared = sorted(set(prints[a]) & set(prints[b]))
        own_a = sum(prints[a][f].token_coverage for f in shared)
        own_b = sum(prints[b][f].token_coverage for f in shared)
        files, overlap_a, overlap_b = [], 0, 0
        for rel in shared:
            fa, fb = prints[a][rel], prints[b][rel]
            _, (sa, sb), _ = compare_files(fa, fb)
            ov_a, ov_b = round(float(sa) * fa.token_coverage), round(float(sb) * fb.token_coverage)
            if ov_a or ov_b:
                files.append({"file": rel, "score": round(float(max(sa, sb)), 3), "overlap": int(min(ov_a, ov_b))})
            overlap_a, overlap_b = overlap_a + ov_a, overlap_b + ov_b
        if not (own_a and own_b):
            continue
        score = max(overlap_a / own_a, overlap_b / own_b)
        overlap = min(overlap_a, overlap_b)
        if score >= threshold and overlap >= min_overlap:
            files.sort(key=lambda f: (-f["score"], f["file"]))
            pairs.append({"a": a, "b": b, "score": round(float(score), 3), "overlap": int(overlap), "files": files})
    pairs.sort(key=lambda p: (-p["score"], p["a"], p["b"]))
    return pairs


def _main() -> None:
    request = json.loads(sys.stdin.read())
    options = request["options"]
    if "root" in options:
        options["root"] = Path(options["root"])
    print(json.dumps(scan({k: Path(v) for k, v in request["code_dirs"].items()}, **options)))


def similar_by_student(pairs: list[dict]) -> dict[str, list[tuple[str, float]]]:
    """``{student: [(other, score), ...]}`` for the gradebook's ``flags`` column."""
    found: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for p in pairs:
        found[p["a"]].append((p["b"], p["score"]))
        found[p["b"]].append((p["a"], p["score"]))
    return {s: sorted(v, key=lambda x: (-x[1], x[0])) for s, v in found.items()}


if __name__ == "__main__":
    _main()
