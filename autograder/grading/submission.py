"""A submission, whatever shape it comes in, copied into a private folder shaped like ``exercises/``.

Accepted: a folder holding ``chN/`` folders, the root of a student's repository holding
``exercises/``, or a ``.zip`` of either. Only regular files are copied (a symlink to the
grader's files would otherwise be copied as the grader's user), ``__pycache__`` is dropped,
and zips are checked before anything is written: no absolute or ``..`` paths (zip-slip), no
symlinks, bounded member count, total size and compression ratio (zip bombs).
"""
from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

MAX_FILES = 5000
MAX_BYTES = 200 << 20          # uncompressed bytes of a whole submission
MAX_RATIO = 200                # uncompressed / compressed, per member larger than 1 MiB


class SubmissionError(Exception):
    """The submission cannot be read (a bad zip, a zip bomb, ...): graded zero with this reason."""


def prepare(source: Path, dest: Path) -> list[str]:
    """Copy ``source`` into ``dest`` (created) shaped like ``exercises/``; return notes for the report."""
    source = Path(source)
    dest.mkdir(parents=True, exist_ok=True)
    if source.is_file() and zipfile.is_zipfile(source):
        unpacked = dest.parent / (dest.name + "-unzipped")
        _unzip(source, unpacked)
        source = unpacked
    elif not source.is_dir():
        raise SubmissionError(f"{source.name} is neither a folder nor a .zip file")
    root = exercises_root(source)
    notes = _copy_regular_files(root, dest)
    if not any(p.is_dir() and p.name.startswith("ch") for p in dest.iterdir()):
        notes.append(f"no chN/ folder found in the submission (looked in {root.name or root}/)")
    return notes


def exercises_root(folder: Path) -> Path:
    """The folder holding ``chN/``: the folder itself, its ``exercises/``, or the single folder inside it."""
    for candidate in (folder, folder / "exercises"):
        if any(candidate.glob("ch[0-9]*/")):
            return candidate
    inner = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))]
    if len(inner) == 1:       # a zip of the repository usually holds one top folder
        return exercises_root(inner[0]) if inner[0] != folder else folder
    return folder / "exercises" if (folder / "exercises").is_dir() else folder


def _copy_regular_files(root: Path, dest: Path) -> list[str]:
    notes, total, count = [], 0, 0
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if "__pycache__" in rel.parts or any(part.startswith(".") for part in rel.parts):
            continue
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            notes.append(f"ignored the symbolic link {rel}")
            continue
        if stat.S_ISDIR(mode):
            (dest / rel).mkdir(parents=True, exist_ok=True)
        elif stat.S_ISREG(mode):
            count, total = count + 1, total + path.lstat().st_size
            if count > MAX_FILES or total > MAX_BYTES:
                raise SubmissionError(f"the submission is too large (over {MAX_FILES} files or {MAX_BYTES >> 20} MB)")
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest / rel)
    return notes


def _unzip(archive: Path, dest: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        if len(members) > MAX_FILES:
            raise SubmissionError(f"the zip holds {len(members)} entries (at most {MAX_FILES})")
        if sum(m.file_size for m in members) > MAX_BYTES:
            raise SubmissionError(f"the zip unpacks to more than {MAX_BYTES >> 20} MB")
        for m in members:
            name = PurePosixPath(m.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts or (name.parts and ":" in name.parts[0]):
                raise SubmissionError(f"the zip holds an unsafe path: {m.filename!r}")
            if stat.S_ISLNK(m.external_attr >> 16):
                raise SubmissionError(f"the zip holds a symbolic link: {m.filename!r}")
            if m.file_size > 1 << 20 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
                raise SubmissionError(f"{m.filename!r} is compressed {m.file_size // max(m.compress_size, 1)}:1 "
                                      "(a zip bomb?)")
        dest.mkdir(parents=True)
        written = 0
        for m in members:
            target = dest / PurePosixPath(m.filename.replace("\\", "/"))
            if m.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(m) as src, open(target, "wb") as out:   # sizes in the header may lie: count
                while chunk := src.read(1 << 20):
                    written += len(chunk)
                    if written > MAX_BYTES:
                        raise SubmissionError(f"the zip unpacks to more than {MAX_BYTES >> 20} MB")
                    out.write(chunk)
