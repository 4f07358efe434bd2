"""``gradescope OUT.zip``: the autograder zip Gradescope builds its image from.

The zip holds, at its top (where Gradescope looks):

- ``setup.sh``: run once by Gradescope, as root, when it builds the image (with network): installs
  Python (apt; ``D2L_SKIP_APT=1`` skips it), a venv with the pinned torch (the CPU build, or the CUDA
  build for ``--device cuda``) and this package, checks the data sets baked into ``source/data``
  (or downloads them with ``--no-data``: the grading sandbox has no network), closes the solutions and
  hidden checks to other users, and measures the reference profile (``python -m autograder profile``:
  time limits and curves), so that no submission pays for it;
- ``run_autograder``: grades ``$AUTOGRADER_ROOT/submission`` (default ``/autograder``) into
  ``$AUTOGRADER_ROOT/results/results.json`` (plus the JUnit, summary and feedback files beside it);
  a single-chapter assignment also accepts the chapter's .py files uploaded on their own;
- ``source/``: the course (references, hidden checks, grader, d2lkit, stubs) and ``course.json``.

``D2L_PYTHON`` replaces the venv's interpreter in ``run_autograder`` (tests), ``D2L_TORCH_INDEX`` the
index setup.sh installs torch from (empty: the default index, e.g. a local wheel cache).
"""
from __future__ import annotations

import json
import shlex
import stat
import zipfile
from pathlib import Path

from autograder.harness.loader import REPO_ROOT

SOURCE_DIRS = ("autograder", "solutions", "d2lkit", "exercises")
SOURCE_FILES = ("pyproject.toml", "README.md", "conftest.py")
TORCH_INDEX = {"cpu": "https://download.pytorch.org/whl/cpu", "cuda": "https://download.pytorch.org/whl/cu128"}
DATA_FILES = ("timemachine.txt", "kaggle_house_pred_train.csv", "kaggle_house_pred_test.csv")

SETUP = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (the network is there then).
# D2L_SKIP_APT=1: Python 3.10+ with venv is already installed. D2L_TORCH_INDEX: where torch comes from
# (default: PyTorch's @DEVICE@ index; empty: the default index). D2L_BASE_PYTHON: the Python to build the venv.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
TORCH_INDEX="${D2L_TORCH_INDEX-@INDEX@}"
if [ "${D2L_SKIP_APT:-0}" != 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends python3 python3-venv python3-pip util-linux ca-certificates
fi
"${D2L_BASE_PYTHON:-python3}" -m venv "$ROOT/venv"
PY="$ROOT/venv/bin/python"
"$PY" -m pip install --upgrade pip
if [ -n "$TORCH_INDEX" ]; then
  "$PY" -m pip install "torch==@TORCH@" "torchvision==@TORCHVISION@" --index-url "$TORCH_INDEX"
else
  "$PY" -m pip install "torch==@TORCH@" "torchvision==@TORCHVISION@"
fi
"$PY" -m pip install -e "$SOURCE"          # editable: the one copy of the solutions is source/
export D2L_DATA_DIR="$SOURCE/data" XDG_CACHE_HOME="$ROOT/cache" MPLBACKEND=Agg PYTHONPATH="$SOURCE"
cd "$SOURCE"
# The data: baked into the zip, or downloaded now (the grading sandbox has no network).
"$PY" -c "from d2lkit.data import read_fashion_mnist, read_time_machine_text, kaggle_house_paths; \
read_fashion_mnist(True); read_fashion_mnist(False); read_time_machine_text(); kaggle_house_paths(); print('data: ok')"
# Other users (the sandbox's uids) must not read the references and hidden checks (README, the sandbox table).
chmod -R go-rwx "$SOURCE/solutions" "$SOURCE/autograder/checks/hidden"
chmod -R go-w "$SOURCE" "$ROOT/venv"
# The reference profile (time limits, training curves), measured once here instead of in every submission.
if [ "@DEVICE@" = cuda ] && ! "$PY" -c "import torch, sys; sys.exit(not torch.cuda.is_available())"; then
  echo "no CUDA device while building: the profile is measured by the first grading on the GPU machine"
else
  D2L_NO_DOWNLOAD=1 "$PY" -m autograder profile --device @DEVICE@ --cache "$ROOT/profile" @ARGS@
fi
echo "setup: done"
"""

RUN = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission: grades $ROOT/submission into $ROOT/results/results.json.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
PY="${D2L_PYTHON:-$ROOT/venv/bin/python}"
export D2L_DATA_DIR="$SOURCE/data" XDG_CACHE_HOME="$ROOT/cache" D2L_NO_DOWNLOAD=1 MPLBACKEND=Agg
export PYTHONPATH="$SOURCE"
SUBMISSION="$ROOT/submission"
mkdir -p "$ROOT/results"
# A one-chapter assignment: the chapter's .py files may be uploaded on their own (regular files only).
CHAPTER="@ONLY@"
if [ -n "$CHAPTER" ] && [ -d "$SUBMISSION" ] && [ ! -e "$SUBMISSION/$CHAPTER" ] && [ ! -e "$SUBMISSION/exercises" ] \
   && [ -n "$(find "$SUBMISSION" -maxdepth 1 -type f -name '*.py' -print -quit)" ]; then
  STAGED="$(mktemp -d)"
  mkdir "$STAGED/$CHAPTER"
  find "$SUBMISSION" -maxdepth 1 -type f -name '*.py' -exec cp {} "$STAGED/$CHAPTER/" \;
  SUBMISSION="$STAGED"
fi
cd "$SOURCE"
# one judge per CPU, two at most (one CPU: two judges only cost memory)
PARALLEL=$(( $(nproc) >= 2 ? 2 : 1 ))
"$PY" -m autograder grade "$SUBMISSION" --out "$ROOT/results" --device @DEVICE@ --cache "$ROOT/profile" \
  --parallel "$PARALLEL" @ARGS@
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
  "$PY" - "$ROOT/results/results.json" "$status" <<'EOF'
import json, sys
json.dump({"score": 0, "max_score": 0, "execution_time": 0, "tests": [], "visibility": "visible",
           "output": f"The grader itself failed (exit status {sys.argv[2]}): this is not your code's fault. "
                     "Course staff have the log; resubmit later or contact them."}, open(sys.argv[1], "w"))
EOF
fi
exit $status
"""


def _versions(device: str) -> tuple[str, str]:
    import torch
    try:
        import importlib.metadata as md
        vision = md.version("torchvision").split("+")[0]
    except Exception:
        vision = "0.28.0"
    return torch.__version__.split("+")[0], vision


def _source_files(root: Path = REPO_ROOT):
    for folder in SOURCE_DIRS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith((".pyc", ".egg-info")):
                yield path
    for name in SOURCE_FILES:
        if (root / name).is_file():
            yield root / name


def _data_files() -> list[tuple[Path, str]]:
    """``(path, name in data/)`` of every data set, from where d2lkit finds them."""
    from d2lkit.data import data_file, read_fashion_mnist  # noqa: F401
    from d2lkit.data import FASHION_MNIST_FILES, _find_idx
    found = [(data_file(name), name) for name in DATA_FILES]
    for names in FASHION_MNIST_FILES.values():
        for name in names:
            path = _find_idx(name)
            if path is None:
                raise FileNotFoundError(f"Fashion-MNIST's {name} is not on this machine: set D2L_DATA_DIR, "
                                        "or build the zip with --no-data")
            found.append((path, f"fashion-mnist/{path.name}"))
    return found


def _write_script(zf: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (stat.S_IFREG | 0o755) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, text)


def write_zip(out: Path, *, chapters: list[str] | None = None, device: str = "cpu", data: bool = True,
              skip_kinds: list[str] = ()) -> Path:
    """Write the autograder zip at ``out``; return its path."""
    from autograder.harness.registry import available_chapters
    if device not in TORCH_INDEX:
        raise ValueError(f"--device must be cpu or cuda, not {device!r}")
    chapters = list(chapters or available_chapters())
    torch_version, vision_version = _versions(device)
    args = ["--chapters", ",".join(chapters)] + (["--skip", ",".join(skip_kinds)] if skip_kinds else [])
    quoted = " ".join(shlex.quote(a) for a in args)
    fill = {"@DEVICE@": device, "@INDEX@": TORCH_INDEX[device], "@TORCH@": torch_version,
            "@TORCHVISION@": vision_version, "@ARGS@": quoted, "@ONLY@": chapters[0] if len(chapters) == 1 else ""}
    setup, run = SETUP, RUN
    for key, value in fill.items():
        setup, run = setup.replace(key, value), run.replace(key, value)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    course = {"chapters": chapters, "device": device, "skip": list(skip_kinds), "torch": torch_version,
              "torchvision": vision_version, "data": data}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        _write_script(zf, "setup.sh", setup)
        _write_script(zf, "run_autograder", run)
        for path in _source_files():
            zf.write(path, f"source/{path.relative_to(REPO_ROOT)}")
        zf.writestr("source/course.json", json.dumps(course, indent=1))
        if data:
            for path, name in _data_files():
                zf.write(path, f"source/data/{name}", compress_type=zipfile.ZIP_STORED)
    return out


def unpack(archive: Path, root: Path) -> Path:
    """Unpack the zip as Gradescope does (``root/source``, ``root/setup.sh``, ``root/run_autograder``), modes kept."""
    root = Path(root)
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            target = root / info.filename
            zf.extract(info, root)
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                target.chmod(mode)
    return root
