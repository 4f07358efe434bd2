"""``gather REPORT_DIR... --out DIR``: the output folders of several ``grade-all --shard`` runs, merged.

Each REPORT_DIR is what one ``grade-all`` wrote (``grading.json``, one folder per student with its
``grade.json``). The student folders are brought together in DIR (hard links where the file system
allows, else copies; a folder already in DIR stays), and DIR gets the ``grades.csv``, the similarity
scan and the class report that one ``grade-all`` over every student writes: the same bytes
(``tests/test_scale.py`` compares them). Refused, with the reason: shards graded with different checks,
a student in two folders, a folder without ``grading.json``. Missing shards are reported (the gradebook
then lacks their students), never guessed.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from autograder.grading.batch import GRADE_FILE, MANIFEST, class_report, grade_from_json


class GatherError(ValueError):
    """The folders cannot be merged (different checks, a student twice, no manifest)."""


def _checks(ids: list[str]) -> list:
    from autograder.harness.registry import load_chapter
    chapters = list(dict.fromkeys(i.split("::")[0] for i in ids))
    by_id = {c.id: c for ch in chapters for c in load_chapter(ch)}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise GatherError(f"checks graded by the shards are not in this checkout: {', '.join(unknown[:5])}")
    return [by_id[i] for i in ids]


def _link_tree(src: Path, dest: Path) -> None:
    def link(a, b):
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)
    shutil.copytree(src, dest, copy_function=link, dirs_exist_ok=True)


def gather(report_dirs: list[Path], out: Path, *, similarity: bool = True, threshold: float | None = None) -> dict:
    """Merge ``report_dirs`` into ``out``; return ``{"students": n, "missing_shards": [...], "errors": [...]}``."""
    out = Path(out)
    manifests, found = [], {}
    for folder in map(Path, report_dirs):
        if not (folder / MANIFEST).is_file():
            raise GatherError(f"{folder} has no {MANIFEST}: not the output folder of grade-all")
        manifest = json.loads((folder / MANIFEST).read_text())
        manifests.append((folder, manifest))
        for student in manifest["students"]:
            if student in found:
                raise GatherError(f"{student} is in both {found[student]} and {folder}")
            found[student] = folder
    ids = manifests[0][1]["checks"]
    for folder, manifest in manifests[1:]:
        if manifest["checks"] != ids:
            raise GatherError(f"{folder} was graded with other checks than {manifests[0][0]} "
                              "(grade every shard with the same --chapters, --select and --skip)")
    shards = {m["shard"] for _, m in manifests if m.get("shard")}
    counts = {int(s.split("/")[1]) for s in shards}
    missing = []
    if len(counts) > 1:
        raise GatherError(f"the shards were cut in different numbers: {sorted(shards)}")
    if counts:
        n = counts.pop()
        missing = [f"{i}/{n}" for i in range(n) if f"{i}/{n}" not in shards]
    checks = _checks(ids)
    out.mkdir(parents=True, exist_ok=True)
    grades = {}
    for student, folder in sorted(found.items()):
        path = folder / student / GRADE_FILE
        if not path.is_file():
            grades[student] = f"grader error: no {GRADE_FILE} in {folder / student} (the shard did not finish it)"
            continue
        grades[student] = grade_from_json(json.loads(path.read_text()))
        if (out / student).resolve() != (folder / student).resolve():
            _link_tree(folder / student, out / student)
    from autograder.grading.batch import write_manifest
    from autograder.grading.grade import Options
    first = manifests[0][1]
    write_manifest(out, checks, Options(chapters=first.get("chapters"), select=first.get("select") or [],
                                        skip_kinds=first.get("skip_kinds") or [], device=first.get("device", "auto")),
                   None, list(grades))
    class_report(grades, out, checks, similarity=similarity, threshold=threshold)
    return {"students": len(grades), "missing_shards": missing,
            "errors": sorted(s for s, g in grades.items() if isinstance(g, str))}
