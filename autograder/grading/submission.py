"""A submission, whatever shape it comes in, copied into a private folder shaped like ``exercises/``.

Accepted: a folder holding ``chN/`` folders, the root of a student's repository holding
``exercises/``, or a ``.zip`` of either. No path of the submission is ever followed through a
symbolic link: not the submission itself, not ``exercises/``, not a single top folder, not a folder
inside (git stores links, and the references' path is no secret on Gradescope). Folders are walked
by file descriptor with ``O_NOFOLLOW``, so a link swapped in during the copy is not followed either;
each link is reported in the notes and never read. Only regular files are copied,
``__pycache__`` and hidden entries are dropped, and zips are checked before anything is written: no
absolute or ``..`` paths (zip-slip), link members skipped, bounded member count, total size and
compression ratio (zip bombs).
"""
from __future__ import annotations

import os
import re
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
    notes: list[str] = []
    try:
        info = os.lstat(source)
    except FileNotFoundError:
        raise SubmissionError(f"no such submission folder or zip: {source}") from None
    except OSError as e:
        raise SubmissionError(f"{source.name} cannot be read ({e.strerror})") from None
    if stat.S_ISLNK(info.st_mode):
        return [f"the submission {source.name} is a symbolic link: not followed, nothing read"]
    if stat.S_ISREG(info.st_mode) and zipfile.is_zipfile(source):
        unpacked = dest.parent / (dest.name + "-unzipped")
        notes += _unzip(source, unpacked)
        source = unpacked
    elif not stat.S_ISDIR(info.st_mode):
        raise SubmissionError(f"{source.name} is neither a folder nor a .zip file")
    root, skipped = exercises_root(source)
    notes += skipped
    notes += _copy_regular_files(root, dest)
    if not any(p.is_dir() and p.name.startswith("ch") for p in dest.iterdir()):
        notes.append(f"no chN/ folder found in the submission (looked in {root.name or root}/)")
    return notes


def _real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def _has_chapters(folder: Path) -> bool:
    try:
        return any(_real_dir(p) and re.fullmatch(r"ch\d+", p.name) for p in folder.iterdir())
    except OSError:
        return False


def exercises_root(folder: Path) -> tuple[Path, list[str]]:
    """The real folder holding ``chN/``: the folder itself, its ``exercises/``, or the single folder inside it
    (never through a link); and notes on the links met on the way."""
    notes = []
    if _has_chapters(folder):
        return folder, notes
    inner = folder / "exercises"
    if _is_link(inner):
        notes.append("ignored the symbolic link exercises/ (links are never followed)")
    elif _real_dir(inner) and _has_chapters(inner):
        return inner, notes
    entries = [p for p in folder.iterdir() if not p.name.startswith((".", "__"))]
    dirs = [p for p in entries if _real_dir(p)]
    links = [p for p in entries if _is_link(p)]
    if len(dirs) == 1 and not links:      # a zip of the repository usually holds one top folder
        found, more = exercises_root(dirs[0])
        return found, notes + more
    if not dirs and len(links) == 1:
        notes.append(f"ignored the symbolic link {links[0].name}/ (links are never followed)")
    return (inner if _real_dir(inner) else folder), notes


def _copy_regular_files(root: Path, dest: Path) -> list[str]:
    """Copy every regular file under ``root`` by file descriptor, never following a link."""
    notes: list[str] = []
    counts = [0, 0]          # files, bytes
    top = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        _copy_folder(top, PurePosixPath(), dest, notes, counts)
    finally:
        os.close(top)
    return notes


def _copy_folder(fd: int, rel: PurePosixPath, dest: Path, notes: list, counts: list) -> None:
    for entry in sorted(os.scandir(fd), key=lambda e: e.name):
        name = entry.name
        if name.startswith(".") or name == "__pycache__":
            continue
        here = rel / name
        if entry.is_symlink():
            notes.append(f"ignored the symbolic link {here}")
            continue
        if entry.is_dir(follow_symlinks=False):
            try:
                sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError:
                notes.append(f"ignored {here}/ (not a plain folder)")
                continue
            try:
                (dest / here).mkdir(parents=True, exist_ok=True)
                _copy_folder(sub, here, dest, notes, counts)
            finally:
                os.close(sub)
        elif entry.is_file(follow_symlinks=False):
            try:
                src = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError:
                notes.append(f"ignored {here} (not a plain file)")
                continue
            with os.fdopen(src, "rb") as f:
                if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                    continue
                counts[0] += 1
                data = f.read(MAX_BYTES + 1 - counts[1])
                counts[1] += len(data)
                if counts[0] > MAX_FILES or counts[1] > MAX_BYTES:
                    raise SubmissionError(f"the submission is too large (over {MAX_FILES} files or "
                                          f"{MAX_BYTES >> 20} MB)")
            (dest / here).parent.mkdir(parents=True, exist_ok=True)
            (dest / here).write_bytes(data)


def _unzip(archive: Path, dest: Path) -> list[str]:
    notes = []
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
                notes.append(f"ignored the symbolic link {m.filename} in the zip")
            if m.file_size > 1 << 20 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
                raise SubmissionError(f"{m.filename!r} is compressed {m.file_size // max(m.compress_size, 1)}:1 "
                                      "(a zip bomb?)")
        dest.mkdir(parents=True)
        written = 0
        for m in members:
            if stat.S_ISLNK(m.external_attr >> 16):
                continue
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
    return notes
