"""GPU verification (not a test): run every CUDA path once on a machine with a GPU, and print one summary.

    python benchmarks/gpu_check.py [--budget 570]

1. every chapter's checks on the references with ``--device=cuda`` (the GPU-marked checks included);
2. ``python -m autograder grade`` on a copy of ``solutions/`` with ``--device cuda`` (sandboxed);
3. ``benchmarks/suite.py --device cuda`` (the references against PyTorch's built-ins on the GPU);
4. one nbgrader chapter built with ``--gpu-checks`` and its source notebook validated.

Each step gets what is left of the budget (10 minutes in all by default); on a machine without CUDA it exits
at once saying so. Exit status 0 only when every step passed.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=570.0, help="seconds for all the steps together")
    parser.add_argument("--nbgrader-chapter", default="ch3")
    args = parser.parse_args()
    import torch
    if not torch.cuda.is_available():
        print(f"no CUDA device here (torch {torch.__version__}, built for CUDA {torch.version.cuda}): nothing to "
              "verify; run this on a machine with a GPU")
        return 2
    print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)}")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    deadline = time.monotonic() + args.budget
    tmp = Path(tempfile.mkdtemp(prefix="d2l-gpu-check-"))
    shutil.copytree(ROOT / "solutions", tmp / "student")
    steps = [
        ("checks on the references, --device=cuda",
         [sys.executable, "-m", "pytest", "exercises", "--impl=solutions", "--device=cuda", "-q", "-p", "no:randomly",
          "-x", "--no-header"]),
        ("grade a copy of solutions/, --device cuda",
         [sys.executable, "-m", "autograder", "grade", str(tmp / "student"), "--device", "cuda", "--out",
          str(tmp / "report"), "--no-plots", "--cache", str(tmp / "cache")]),
        ("benchmarks/suite.py --device cuda", [sys.executable, "benchmarks/suite.py", "--device", "cuda"]),
        (f"nbgrader {args.nbgrader_chapter} with --gpu-checks",
         [sys.executable, "-m", "autograder", "nbgrader", "build", str(tmp / "course"), "--chapters",
          args.nbgrader_chapter, "--gpu-checks"]),
    ]
    summary = []
    for label, command in steps:
        left = deadline - time.monotonic()
        if left < 20:
            summary.append((label, "not run (out of time)", 0.0))
            continue
        start = time.monotonic()
        try:
            proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=left)
            ok = proc.returncode == 0
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
            if label.startswith("nbgrader") and ok:
                validate = subprocess.run(["nbgrader", "validate", f"source/{args.nbgrader_chapter}/"
                                           f"{args.nbgrader_chapter}.ipynb"], cwd=tmp / "course", env=env,
                                          capture_output=True, text=True, timeout=max(20, deadline - time.monotonic()))
                ok = validate.returncode == 0 and "Success" in validate.stdout
                tail += validate.stdout.strip().splitlines()[-10:]
            status = "passed" if ok else f"FAILED (exit {proc.returncode})"
        except subprocess.TimeoutExpired:
            status, tail = "FAILED (out of time)", []
        seconds = time.monotonic() - start
        summary.append((label, status, seconds))
        print(f"\n=== {label}: {status} in {seconds:.0f} s")
        print("\n".join(tail))
        if label.startswith("grade"):
            summary_file = tmp / "report" / "summary.txt"
            if summary_file.exists():
                print(summary_file.read_text().splitlines()[-1])
    print("\nGPU verification summary")
    for label, status, seconds in summary:
        print(f"  {status:<26} {seconds:6.0f} s  {label}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if all(s == "passed" for _, s, _ in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
