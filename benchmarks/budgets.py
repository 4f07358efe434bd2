"""Grading budgets per chapter on one core: wall time, CPU time and peak memory (not a test).

    python benchmarks/budgets.py                        # every chapter, perfect and hangs, pinned to core 0
    python benchmarks/budgets.py --chapters 3,6 --kinds perfect --out budgets.json
    python benchmarks/budgets.py --table budgets.json   # print the README table from a saved run

For each chapter and each kind, one ``grade`` of that chapter alone runs in a subprocess pinned to one
core (``taskset``/``sched_setaffinity``), with one judge (``--parallel 1``) and one torch thread, after
the reference profile is measured (and cached; not counted). ``perfect`` is a copy of ``solutions/``;
``hangs`` the worst case, every exercise looping forever (``benchmarks/grading.py``'s ``hanging_copy``):
each exercise's first check runs into its time limit, the others fail fast. Measured per run:

- wall seconds, and CPU seconds (user + system of the grader and every process it waited for: judges,
  sandbox, workers): on a loaded machine wall time stretches, CPU time much less;
- peak memory: the largest process's peak RSS (``ru_maxrss``), and the whole run's peak: where cgroups v1
  are writable (root), the run's own memory cgroup's ``max_usage_in_bytes`` (what a container's memory
  limit counts, page cache included), else the peak of the summed RSS of the process tree sampled every
  0.2 s (an upper bound: forked workers share pages);
- CPU time: the run's cpuacct cgroup where there is one (every process, even those killed unreaped),
  else ``getrusage``;
- the machine's load average before and after (the runs share the machine with whatever else runs).

The totals line adds the chapters: what one submission of the whole course costs on one core.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GRADESCOPE_DEFAULT, GRADESCOPE_MAX, PRAIRIELEARN, CLASSROOM_STEP = 600, 2400, 600, 3600


def _one(kind: str, chapter: str, cache: str) -> dict:
    """Grade ``chapter`` once (in this process, pinned by the caller); return the measurements."""
    from autograder.grading.grade import Options, grade
    from autograder.harness.loader import REPO_ROOT
    from benchmarks.grading import hanging_copy
    options = Options(chapters=[chapter], plots=False, parallel=1, threads=1, cache=Path(cache))
    with tempfile.TemporaryDirectory() as tmp:
        sub = Path(tmp) / "student"
        if kind == "hangs":
            hanging_copy(sub, [chapter])
        else:
            shutil.copytree(REPO_ROOT / "solutions", sub)
        before = _cpu()
        start = time.monotonic()
        result = grade(sub, None, options)
        wall, cpu = time.monotonic() - start, _cpu() - before
    return {"kind": kind, "chapter": chapter, "score": result.score, "max_score": result.max_score,
            "checks": len(result.records), "wall": round(wall, 1), "cpu": round(cpu, 1),
            "failed": [f"{r['id']}: {r['message'].splitlines()[0][:100] if r['message'] else ''}"
                       for r in result.records if r["outcome"] == "failed"] if kind == "perfect" else [],
            "largest_rss_mib": round(max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                                         resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024)}


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _tree_rss(pid: int) -> int:
    import psutil
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def _cgroups(name: str) -> dict[str, Path]:
    """Fresh cgroup v1 folders (cpuacct, memory) for one run, where this machine has them (root); else {}."""
    found = {}
    own = {line.split(":")[1]: line.split(":")[2] for line in Path("/proc/self/cgroup").read_text().splitlines()
           if line.count(":") >= 2} if Path("/proc/self/cgroup").exists() else {}
    for kind, key in (("cpuacct", "cpuacct"), ("memory", "memory")):
        base = Path("/sys/fs/cgroup") / kind
        parent = next((own[k] for k in own if key in k.split(",")), None)
        if not base.is_dir() or parent is None:
            continue
        folder = base / parent.lstrip("/") / f"d2l-budget-{name}-{os.getpid()}"
        try:
            folder.mkdir(exist_ok=True)
            found[kind] = folder
        except OSError:
            pass
    return found


def measure(kind: str, chapter: str, cache: Path, core: int) -> dict:
    """One pinned subprocess grading ``chapter``; its own numbers plus the sampled tree RSS, the cgroup's
    CPU time and peak memory (every process of the run: judges, sandbox, workers), and the load."""
    load = os.getloadavg()[0]
    groups = _cgroups(f"{kind}-{chapter}")

    def enter():
        os.sched_setaffinity(0, {core})
        for folder in groups.values():
            (folder / "tasks").write_text(str(os.getpid()))
    proc = subprocess.Popen([sys.executable, __file__, "_one", kind, chapter, "--cache", str(cache)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
                            preexec_fn=enter)
    peak = [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.2)
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, _ = proc.communicate()
    thread.join()
    row = json.loads(out.strip().splitlines()[-1])
    row.update(tree_rss_mib=round(peak[0] / (1 << 20)), load_before=round(load, 1),
               load_after=round(os.getloadavg()[0], 1))
    if "cpuacct" in groups:
        row["cgroup_cpu"] = round(int((groups["cpuacct"] / "cpuacct.usage").read_text()) / 1e9, 1)
    if "memory" in groups:
        row["cgroup_peak_mib"] = round(int((groups["memory"] / "memory.max_usage_in_bytes").read_text()) / (1 << 20))
    for folder in groups.values():
        try:
            folder.rmdir()
        except OSError:
            pass
    return row


def fits(seconds: float) -> str:
    where = [name for name, limit in (("Gradescope default (600 s)", GRADESCOPE_DEFAULT),
                                      ("PrairieLearn (600 s)", PRAIRIELEARN),
                                      ("Gradescope max (2400 s)", GRADESCOPE_MAX)) if seconds <= limit]
    return ", ".join(where) or "none (split it)"


def table(rows: list[dict]) -> str:
    by = {(r["chapter"], r["kind"]): r for r in rows}
    chapters = list(dict.fromkeys(r["chapter"] for r in rows))
    lines = ["| chapter | checks | perfect: wall / CPU s | perfect: peak MiB (largest process / whole run) | "
             "hangs: wall / CPU s | hangs: peak MiB (largest process / whole run) | load (1-min) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    totals = {"perfect": [0.0, 0.0], "hangs": [0.0, 0.0]}
    peaks = {"perfect": [0, 0], "hangs": [0, 0]}
    for ch in chapters:
        cells, loads = [], []
        for kind in ("perfect", "hangs"):
            r = by.get((ch, kind))
            if r is None:
                cells += ["-", "-"]
                continue
            totals[kind][0] += r["wall"]
            totals[kind][1] += r["cpu"]
            cpu = r.get("cgroup_cpu", r["cpu"])
            totals[kind][1] += cpu - r["cpu"]
            mem = r.get("cgroup_peak_mib", r["tree_rss_mib"])
            peaks[kind] = [max(peaks[kind][0], r["largest_rss_mib"]), max(peaks[kind][1], mem)]
            cells += [f"{r['wall']:.0f} / {cpu:.0f}", f"{r['largest_rss_mib']} / {mem}"]
            loads.append(f"{r['load_before']:.0f}")
        checks = next(by[(ch, k)]["checks"] for k in ("perfect", "hangs") if (ch, k) in by)
        lines.append(f"| {ch} | {checks} | " + " | ".join(cells) + f" | {', '.join(loads)} |")
    lines.append(f"| **all** | | {totals['perfect'][0]:.0f} / {totals['perfect'][1]:.0f} | "
                 f"{peaks['perfect'][0]} / {peaks['perfect'][1]} | {totals['hangs'][0]:.0f} / "
                 f"{totals['hangs'][1]:.0f} | {peaks['hangs'][0]} / {peaks['hangs'][1]} | |")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_one":
        p = argparse.ArgumentParser()
        p.add_argument("_"), p.add_argument("kind"), p.add_argument("chapter"), p.add_argument("--cache")
        a = p.parse_args()
        print(json.dumps(_one(a.kind, a.chapter, a.cache)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", default=None)
    parser.add_argument("--kinds", default="perfect,hangs")
    parser.add_argument("--core", type=int, default=0, help="the CPU the gradings are pinned to")
    parser.add_argument("--cache", default=None, help="the reference profile's cache (default: a fresh folder)")
    parser.add_argument("--out", default=None, help="write the rows as JSON here")
    parser.add_argument("--table", default=None, help="print the table of a saved run and stop")
    args = parser.parse_args()
    if args.table:
        print(table(json.loads(Path(args.table).read_text())))
        return
    from autograder.grading.grade import Options, select_checks
    from autograder.grading.profile import reference_profile
    from autograder.grading.sandbox import detect
    from autograder.harness.registry import available_chapters, chapter_names
    chapters = chapter_names(args.chapters) if args.chapters else available_chapters()
    cache = Path(args.cache or tempfile.mkdtemp(prefix="d2l-budgets-"))
    options = Options(chapters=chapters, plots=False, parallel=1, threads=1, cache=cache)
    start = time.monotonic()
    reference_profile([c for c in select_checks(options) if not c.gpu], device="cpu", options=options,
                      platform=detect())
    print(f"reference profile: {time.monotonic() - start:.0f} s (cached in {cache}); "
          f"{os.cpu_count()} cores, load {os.getloadavg()}", flush=True)
    rows = []
    for chapter in chapters:
        for kind in args.kinds.split(","):
            row = measure(kind, chapter, cache, args.core)
            rows.append(row)
            print(json.dumps(row), flush=True)
            if args.out:
                Path(args.out).write_text(json.dumps(rows, indent=1))
    print(table(rows))


if __name__ == "__main__":
    main()
