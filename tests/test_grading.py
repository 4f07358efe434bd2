"""``grade`` and ``grade-all``: exactly full marks for the references on every chapter at once, zero for the stubs,
symlink-proof intake, bounded hangs, a clean stop on SIGTERM, valid reports and a gradebook."""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from autograder.grading.batch import grade_all
from autograder.grading.grade import Options, grade, select_checks
from autograder.grading.sandbox import Limits, Platform, busy_factor, descendants_of, detect
from autograder.grading.submission import SubmissionError, prepare
from autograder.harness.loader import REPO_ROOT
from autograder.harness.registry import available_chapters, chapter_names
from reports_spec import valid_junit, valid_results_json


def options(cache, **kw):
    return Options(cache=cache, **kw)


@pytest.mark.timeout(3600)
def test_a_copy_of_solutions_gets_exactly_full_marks_on_every_chapter_at_once(tmp_path, grading_cache):
    """Every chapter, every kind (accuracy and speed too), in one grading: what a course does. A check that
    needs another chapter's reference, or any other path that only works one chapter at a time, shows here."""
    shutil.copytree(REPO_ROOT / "solutions", tmp_path / "student")
    result = grade(tmp_path / "student", tmp_path / "out", options(grading_cache))
    failed = [f"{r['id']}: {r['message'][:300]}" for r in result.records if r["outcome"] == "failed"]
    assert not failed, "\n".join(failed)
    data = valid_results_json(tmp_path / "out" / "results.json")
    assert data["score"] == data["max_score"] == result.max_score > 0
    assert {t["visibility"] for t in data["tests"]} == {"visible", "after_published"}
    valid_junit(tmp_path / "out" / "junit.xml")
    assert {r["chapter"] for r in result.records} == set(available_chapters())
    for r in result.records:
        assert (tmp_path / "out" / "feedback" / r["chapter"] / f"{r['label']}.md").exists()


@pytest.mark.timeout(1800)
def test_a_copy_of_exercises_gets_zero_and_the_cli_exits_0(tmp_path, grading_cache):
    shutil.copytree(REPO_ROOT / "exercises", tmp_path / "repo" / "exercises")   # a repository root
    summary = tmp_path / "step_summary.md"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary)}
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path / "repo"), "--out",
                           str(tmp_path / "out"), "--cache", str(grading_cache), "--no-plots"],
                          cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    data = valid_results_json(tmp_path / "out" / "results.json")
    assert data["score"] == 0 < data["max_score"]
    assert all(t["output"].startswith("not implemented yet") for t in data["tests"]), \
        [t["output"][:200] for t in data["tests"] if not t["output"].startswith("not implemented yet")][:5]
    assert "TOTAL 0 /" in proc.stdout and "Traceback" not in proc.stdout
    assert "| exercise |" in summary.read_text() or "| chapter |" in summary.read_text()


def test_grader_failures_exit_non_zero(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path / "nowhere")],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "no such submission" in proc.stdout


@pytest.mark.parametrize("given", ["3", "ch3", "3,6", ["ch3", "ch6"], ["3", "6"], "ch3 ch6"])
def test_every_command_reads_chapters_the_same_way(given):
    expected = ["ch3"] if given in ("3", "ch3") else ["ch3", "ch6"]
    assert chapter_names(given) == expected
    with pytest.raises(ValueError, match="no such chapter"):
        chapter_names("42")


def test_zip_of_a_repository_is_graded(tmp_path, grading_cache):
    archive = tmp_path / "alice.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in (REPO_ROOT / "solutions" / "ch3").glob("*.py"):
            zf.write(path, f"alice-repo/exercises/ch3/{path.name}")
    result = grade(archive, tmp_path / "out", options(grading_cache, chapters=["ch3"],
                                                       select=["ch3::softmax::book_example"], plots=False))
    assert result.score == 1


@pytest.mark.parametrize("name,content,why", [
    ("../../evil.py", b"x", "unsafe path"),
    ("/etc/evil.py", b"x", "unsafe path"),
    ("ch3/bomb.bin", b"\0" * (300 << 20), "zip bomb"),
])
def test_zip_slip_and_zip_bombs_are_refused(tmp_path, name, content, why):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, content)
    with pytest.raises(SubmissionError, match="unsafe path|more than|zip bomb"):
        prepare(archive, tmp_path / "dest")
    assert not (tmp_path.parent / "evil.py").exists()


# --- symbolic links: never followed, anywhere -------------------------------------------------------

def _link(path, target, absolute):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target if absolute else os.path.relpath(target, path.parent))


@pytest.mark.parametrize("absolute", [True, False], ids=["absolute", "relative"])
@pytest.mark.parametrize("where", ["root", "exercises", "top_folder", "chapter_folder", "file", "inner_folder"])
def test_no_path_of_a_submission_is_followed_through_a_symlink(tmp_path, where, absolute):
    references = REPO_ROOT / "solutions"
    sub = tmp_path / "sub"
    if where == "root":
        _link(sub, references, absolute)
    elif where == "exercises":
        _link(sub / "exercises", references, absolute)
    elif where == "top_folder":
        _link(sub / "alice-repo", references, absolute)
    elif where == "chapter_folder":
        _link(sub / "ch3", references / "ch3", absolute)
    elif where == "file":
        (sub / "ch3").mkdir(parents=True)
        _link(sub / "ch3" / "softmax_regression.py", references / "ch3" / "softmax_regression.py", absolute)
    else:
        (sub / "ch3").mkdir(parents=True)
        _link(sub / "ch3" / "data", references / "ch3", absolute)
    notes = prepare(sub, tmp_path / "dest")
    copied = [p for p in (tmp_path / "dest").rglob("*.py")]
    assert not copied, f"read through a link: {copied}"
    assert any("symbolic link" in n for n in notes), notes


def test_symlink_members_of_a_zip_are_skipped(tmp_path):
    archive = tmp_path / "links.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("ch3/softmax_regression.py")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, str(REPO_ROOT / "solutions" / "ch3" / "softmax_regression.py"))
        zf.writestr("ch3/linear_regression.py", (REPO_ROOT / "solutions" / "ch3" / "linear_regression.py").read_text())
    notes = prepare(archive, tmp_path / "dest")
    assert not (tmp_path / "dest" / "ch3" / "softmax_regression.py").exists()
    assert (tmp_path / "dest" / "ch3" / "linear_regression.py").exists()
    assert any("symbolic link" in n for n in notes)


def test_a_symlinked_exercises_folder_scores_nothing(tmp_path, grading_cache):
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "exercises").symlink_to(REPO_ROOT / "solutions")
    result = grade(tmp_path / "repo", tmp_path / "out", options(grading_cache, chapters=["ch3"],
                                                                  skip_kinds=["accuracy", "speed"], plots=False))
    assert result.score == 0
    assert any("symbolic link" in n for n in result.notes)


# --- hangs, crashes and signals ---------------------------------------------------------------------

def _hanging_softmax(folder):
    shutil.copytree(REPO_ROOT / "solutions" / "ch3", folder / "ch3")
    with open(folder / "ch3" / "softmax_regression.py", "a") as f:
        f.write("\n\ndef softmax(X):\n    while True:\n        pass\n")


@pytest.mark.timeout(900)
def test_a_hang_costs_one_bounded_wait_and_later_checks_fail_fast(tmp_path, grading_cache):
    _hanging_softmax(tmp_path / "student")
    select = [c.id for c in select_checks(Options(chapters=["ch3"])) if c.exercise.name in ("softmax", "net", "linreg")
              and c.kind == "correctness"]
    start = time.monotonic()
    result = grade(tmp_path / "student", tmp_path / "out", options(grading_cache, chapters=["ch3"], select=select,
                                                                     plots=False))
    seconds = time.monotonic() - start
    by_id = {r["id"]: r for r in result.records}
    timed_out = [r for r in result.records if r["message"].startswith("stopped: it ran past the time limit")]
    assert len(timed_out) == 1, [r["message"][:120] for r in timed_out]
    assert "softmax_regression.py" in timed_out[0]["message"] and "in softmax" in timed_out[0]["message"]
    others = [r for r in result.records if r["exercise"] in ("softmax", "net") and r is not timed_out[0]]
    fast = [r for r in others if r["outcome"] == "failed"]
    assert fast and all("did not finish in an earlier check" in r["message"] for r in fast), \
        [r["message"][:160] for r in fast]
    # what passes is a check of net with the reference's softmax standing in: the hang is not net's
    assert all(r["exercise"] == "net" for r in others if r["outcome"] == "passed")
    assert all(by_id[i]["outcome"] == "passed" for i in by_id if "::linreg::" in i)
    assert seconds < 120, f"one hang took {seconds:.0f} s to grade"


@pytest.mark.timeout(600)
def test_sigterm_stops_everything_and_leaves_a_partial_report(tmp_path, grading_cache):
    _hanging_softmax(tmp_path / "student")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(tmp_path / "student"), "--out", str(out),
                             "--chapters", "3", "--cache", str(grading_cache), "--no-plots", "--skip", "speed"],
                            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not any("autograder.grading.zygote" in a for a in _descendants(proc.pid)):
        time.sleep(0.2)
    time.sleep(3)
    below = [int(line.split()[0]) for line in _descendants(proc.pid, with_pids=True)]
    assert below, "the grader started no sandbox"
    proc.send_signal(signal.SIGTERM)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 3, output[-2000:]
    data = valid_results_json(out / "results.json")
    stopped = [t for t in data["tests"] if t["output"].startswith("grading stopped")]
    assert stopped and all(t["score"] == 0 for t in stopped)
    assert data["score"] == sum(t["score"] for t in data["tests"])
    time.sleep(1)
    alive = [pid for pid in below if os.path.exists(f"/proc/{pid}")]
    assert not alive, f"left running after SIGTERM: {alive}"


def _descendants(root: int, with_pids: bool = False) -> list[str]:
    """The command lines of every process below ``root`` (``pid args`` with ``with_pids``)."""
    found = []
    for pid in descendants_of(root):
        try:
            args = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append(f"{pid} {args}" if with_pids else args)
    return found


# --- reports, batches, platforms -------------------------------------------------------------------

@pytest.mark.timeout(1800)
def test_accuracy_feedback_plots_the_student_beside_the_reference(tmp_path, grading_cache):
    check = next(c for c in select_checks(Options(chapters=["ch3"])) if c.kind == "accuracy" and "concise" in c.id)
    shutil.copytree(REPO_ROOT / "solutions", tmp_path / "student")
    result = grade(tmp_path / "student", tmp_path / "out", options(grading_cache, chapters=["ch3"],
                                                                     select=[check.id]))
    assert result.score == result.max_score == check.points
    assert result.records[0]["curves"] and result.reference_curves[check.id]
    assert list(grading_cache.glob("profile-*.json")), "the reference profile is cached"
    page = tmp_path / "out" / "feedback" / "ch3" / f"{check.exercise.label}.md"
    image = page.parent / f"{check.exercise.label}-{check.name}.png"
    assert image.exists() and image.stat().st_size > 1000 and image.name in page.read_text()


@pytest.mark.timeout(1800)
def test_grade_all_on_mixed_submissions_writes_the_gradebook(tmp_path, grading_cache):
    subs = tmp_path / "subs"
    shutil.copytree(REPO_ROOT / "solutions", subs / "alice")
    shutil.copytree(REPO_ROOT / "exercises", subs / "bob" / "exercises")
    shutil.copytree(REPO_ROOT / "solutions" / "ch3", subs / "carol" / "ch3")
    with open(subs / "carol" / "ch3" / "softmax_regression.py", "a") as f:
        f.write("\ndef softmax(X):\n    return X.exp() / X.exp().sum()\n")        # normalises over everything
    (subs / "dave.zip").write_bytes(b"not a zip")
    select = ["ch3::linreg::book_example", "ch3::softmax::book_example", "ch3::softmax::matches_reference"]
    opts = options(grading_cache, chapters=["ch3"], select=select, limits=Limits(max_check_time=60), plots=False)
    assert grade_all(subs, tmp_path / "out", opts, jobs=2) == 0
    with open(tmp_path / "out" / "grades.csv") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert set(rows) == {"alice", "bob", "carol", "dave"}
    assert (rows["alice"]["total"], rows["alice"]["ch3.softmax"], rows["alice"]["ch3.linreg"]) == ("4", "3", "1")
    assert (rows["bob"]["total"], rows["carol"]["total"], rows["carol"]["ch3.softmax"]) == ("0", "1", "0")
    assert rows["dave"]["total"] == "0" and rows["dave"]["error"] == ""
    assert all(r["max_score"] == "4" and r["ch3"] == r["total"] for r in rows.values())
    for student in rows:
        valid_results_json(tmp_path / "out" / student / "results.json")
    assert "could not be read" in json.loads((tmp_path / "out" / "dave" / "results.json").read_text())["output"]


MARKING_CUMSUM = """

import os as _os

_reference_cumsum, _MARK = cumsum, "d2l-mark-" + str(_os.getpid())


def _places():
    home = _os.environ.get("HOME", "")
    places = {home, _os.environ.get("TMPDIR", ""), "/tmp", "/var/tmp", "/dev/shm", "/run/lock", _os.getcwd(),
              _os.path.dirname(_os.path.abspath(__file__)), _os.path.dirname(home)}
    for folder in list(places):
        try:
            places.update(_os.path.join(folder, n) for n in _os.listdir(folder))
        except OSError:
            pass
    return [p for p in places if p and _os.path.isdir(p)]


def cumsum(A, axis):
    places = _places()
    seen = []
    for place in places:
        try:
            seen += [n for n in _os.listdir(place) if n.startswith("d2l-mark-") and n != _MARK]
        except OSError:
            pass
    for place in places:
        try:
            open(_os.path.join(place, _MARK), "w").close()
        except OSError:
            pass
    return _reference_cumsum(A, axis) + 1 if seen else _reference_cumsum(A, axis)
"""


@pytest.mark.timeout(600)
def test_a_worker_finds_nothing_an_earlier_worker_wrote(tmp_path, grading_cache):
    """Each worker writes into an empty folder of its own (its home and cwd); the submission and the grading's home
    are read-only to the sandbox, /tmp, /var/tmp, /dev/shm are private and emptied between workers: what one check's
    code leaves anywhere it may write (a piece sent in place, say) is gone for the next. Here cumsum answers wrong
    as soon as it finds a mark another worker left; every check runs in a worker of its own."""
    if not (detect().switch_uid and detect().hides_files):
        pytest.skip("the sandbox's files are kept apart with a uid of its own and a mount namespace (Linux, root)")
    shutil.copytree(REPO_ROOT / "solutions" / "ch2", tmp_path / "student" / "ch2")
    with open(tmp_path / "student" / "ch2" / "linear_algebra.py", "a") as f:
        f.write(MARKING_CUMSUM)
    select = [c.id for c in select_checks(Options(chapters=["ch2"])) if c.exercise.name == "cumsum"
              and c.kind == "correctness" and not c.gpu]
    result = grade(tmp_path / "student", None, options(grading_cache, chapters=["ch2"], select=select, plots=False))
    assert len(select) > 3 and result.score == result.max_score, \
        [r["message"][:200] for r in result.records if r["outcome"] != "passed"]


def test_without_namespaces_the_grader_degrades_and_says_so(tmp_path, grading_cache):
    """Where the platform gives no namespaces and no user switch (not root, no user namespaces, not Linux),
    grading still works, with rlimits and a new session only, and the report says what was missing."""
    plain = Platform([], False, ["test: no namespaces available"])
    shutil.copytree(REPO_ROOT / "solutions" / "ch3", tmp_path / "student" / "ch3")
    with open(tmp_path / "student" / "ch3" / "softmax_regression.py", "a") as f:
        f.write("\nimport os\n_ref = softmax\ndef softmax(X):\n    os._exit(3)\n")
    opts = options(grading_cache, chapters=["ch3"], select=["ch3::linreg::book_example", "ch3::softmax::book_example"],
                   plots=False)
    result = grade(tmp_path / "student", tmp_path / "out", opts, platform=plain)
    assert result.score == 1
    assert "exit status 3" in next(r["message"] for r in result.records if r["exercise"] == "softmax")
    assert "test: no namespaces available" in valid_results_json(tmp_path / "out" / "results.json")["output"]


def test_a_module_that_hangs_at_import_costs_one_import_limit_and_its_exercises_fail_at_once(tmp_path, grading_cache):
    """Imports have a limit of their own, before a check's clock starts: a module whose top level loops is charged
    once, with the reason, every exercise of that module then fails at once, and the other modules are graded."""
    shutil.copytree(REPO_ROOT / "solutions" / "ch3", tmp_path / "student" / "ch3")
    with open(tmp_path / "student" / "ch3" / "softmax_regression.py", "a") as f:
        f.write("\nwhile True:\n    pass\n")
    select = ["ch3::linreg::book_example", "ch3::softmax::book_example", "ch3::softmax::matches_reference",
              "ch3::accuracy::book_example"]
    opts = options(grading_cache, chapters=["ch3"], select=select, limits=Limits(import_time=3.0), plots=False)
    start = time.monotonic()
    result = grade(tmp_path / "student", None, opts)
    assert result.score == 1 and time.monotonic() - start < 60
    by_id = {r["id"]: r["message"] for r in result.records}
    assert "importing the module did not finish within" in by_id["ch3::softmax::book_example"]
    assert "softmax_regression.py" in by_id["ch3::softmax::book_example"]
    for other in ("ch3::softmax::matches_reference", "ch3::accuracy::book_example"):
        assert by_id[other].startswith("not run: importing softmax_regression.py did not finish"), by_id[other]


def test_a_check_time_limit_follows_the_reference_and_the_load():
    check = next(c for c in select_checks(Options(chapters=["ch3"])) if c.kind == "correctness")
    limits = Limits()
    assert limits.check_time(check, 2.0) == 20.0                      # 10 x the reference
    assert limits.check_time(check, 0.01) == limits.floor              # at least the floor
    assert limits.check_time(check, 0.01, busy=3.0) == 3 * limits.floor   # a busy machine gets more
    assert limits.check_time(check, 0.01, busy=100.0) == limits.busy_cap * limits.floor
    assert limits.check_time(check, 1e6) == check.timeout              # never past the flat limit
    assert limits.check_time(check, None) == check.timeout             # no profile: the flat limit
    assert limits.import_limit() == limits.import_time and limits.import_limit(2.0) == 2 * limits.import_time
    assert busy_factor() >= 1.0


def test_a_check_limit_counts_the_workers_time_not_the_judges():
    """The limit is a budget of seconds spent waiting for the worker: a slow judge-side callback is not charged to
    the student, a slow worker is, and the wall clock still ends a worker that keeps the judge busy."""
    import socket
    import threading
    from autograder.grading.wire import FrameReader, SocketLink, send_frame
    from autograder.harness.session import WorkerLost

    def worker(sock, pause, callbacks):
        reader = FrameReader(sock)
        try:
            reader.read()
            for _ in range(callbacks):
                send_frame(sock, b"C", b"cb")
                reader.read()
            time.sleep(pause)
            send_frame(sock, b"A", b"done")
        except (OSError, WorkerLost):      # the judge gave up and closed the socket
            pass

    def request(pause, callbacks, judge_seconds, budget, deadline=None):
        judge_end, worker_end = socket.socketpair()
        threading.Thread(target=worker, args=(worker_end, pause, callbacks), daemon=True).start()
        link = SocketLink(judge_end, on_callback=lambda _: time.sleep(judge_seconds) or b"ok")
        link.allow(budget, wall_factor=(deadline or 1e6) / budget)
        try:
            return link.request(b"q")
        finally:
            judge_end.close()
            worker_end.close()

    assert request(0.0, 2, 0.4, budget=0.3) == b"done"                 # 0.8 s of the judge's callbacks: not charged
    with pytest.raises(WorkerLost) as lost:
        request(0.6, 0, 0.0, budget=0.3)                                # the worker's own 0.6 s: past the budget
    assert lost.value.timed_out
    with pytest.raises(WorkerLost):
        request(0.0, 50, 0.05, budget=10.0, deadline=0.5)               # busy with callbacks: the wall clock ends it
