"""Grading at scale: shards run at once then gathered give exactly one grade-all's gradebook and class report;
the class dashboard in a real browser; the deployment manifests; Classroom points.

One small class is graded once per module (three checks of chapter 3, the shared reference profile):
alice and eve hand in the references (a planted pair for the similarity scan), bob the stubs, carol a
softmax that normalises over everything, frank the references plus an ``import gc`` (an audit flag),
gina the references as a .zip, dave a file that is not a zip.
"""
import base64
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from autograder.grading.batch import parse_shard, shard_of, submissions
from autograder.grading.gather import GatherError, gather
from autograder.harness.loader import REPO_ROOT
from reports_spec import valid_results_json

pytestmark = pytest.mark.timeout(2400)      # the module fixture grades the class three times over

SELECT = "ch3::linreg::book_example,ch3::softmax::book_example,ch3::softmax::matches_reference"
SHARDS = 3
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
       "MPLBACKEND": "Agg", "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])}


def _cli(*args, timeout=1200):
    return subprocess.Popen([sys.executable, "-m", "autograder", *map(str, args)], cwd=REPO_ROOT, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(proc, timeout=1200):
    out, _ = proc.communicate(timeout=timeout)
    return proc.returncode, out


def make_class(subs: Path) -> Path:
    ch3 = REPO_ROOT / "solutions" / "ch3"
    for name in ("alice", "eve"):
        shutil.copytree(ch3, subs / name / "ch3")
    shutil.copytree(REPO_ROOT / "exercises", subs / "bob" / "exercises")
    shutil.copytree(ch3, subs / "carol" / "ch3")
    with open(subs / "carol" / "ch3" / "softmax_regression.py", "a") as f:
        f.write("\ndef softmax(X):\n    return X.exp() / X.exp().sum()\n")
    shutil.copytree(ch3, subs / "frank" / "ch3")
    with open(subs / "frank" / "ch3" / "linear_regression.py", "a") as f:
        f.write("\nimport gc\n")
    with zipfile.ZipFile(subs / "gina.zip", "w") as zf:
        for path in sorted(ch3.glob("*.py")):
            zf.write(path, f"gina-repo/exercises/ch3/{path.name}")
    (subs / "dave.zip").write_bytes(b"not a zip")
    return subs


@pytest.fixture(scope="module")
def graded(tmp_path_factory, grading_cache):
    """One grade-all over the class; then SHARDS grade-all --shard processes at once, and gather."""
    root = tmp_path_factory.mktemp("scale")
    subs = make_class(root / "subs")
    common = ["--chapters", "3", "--select", SELECT, "--no-plots", "--cache", grading_cache, "--max-check-time", "60"]
    code, out = _finish(_cli("grade-all", subs, "--out", root / "all", "--jobs", 2, *common))
    assert code == 0, out[-3000:]
    procs = [_cli("grade-all", subs, "--shard", f"{i}/{SHARDS}", "--out", root / f"shard-{i}", "--jobs", 1,
                  "--no-similarity", *common) for i in range(SHARDS)]
    for proc in procs:
        code, out = _finish(proc)
        assert code == 0, out[-3000:]
    code, out = _finish(_cli("gather", *[root / f"shard-{i}" for i in range(SHARDS)], "--out", root / "gathered"))
    assert code == 0, out[-3000:]
    return root


def _rows(path):
    with open(path) as f:
        return {r["student"]: r for r in csv.DictReader(f)}


# --- shards ---------------------------------------------------------------------------------------

def test_shards_are_stable_by_name_and_cover_every_student_once():
    names = [f"student{i:04d}" for i in range(2000)]
    for n in (1, 2, 7, 64):
        shards = [shard_of(s, n) for s in names]
        assert all(0 <= k < n for k in shards)
        assert shards == [shard_of(s, n) for s in names]          # the same on every machine and run
    counts = [sum(shard_of(s, 16) == k for s in names) for k in range(16)]
    assert min(counts) > 2000 / 16 * 0.7, counts                 # roughly even
    assert shard_of("alice", 8) == int.from_bytes(__import__("hashlib").sha256(b"alice").digest()[:8], "big") % 8
    assert parse_shard("0/4") == (0, 4) and parse_shard(None) is None
    for bad in ("4/4", "-1/4", "1", "a/b", "0/0"):
        with pytest.raises(ValueError):
            parse_shard(bad)


def test_shards_at_once_then_gather_give_exactly_one_grade_all(graded):
    every = set(submissions(graded / "subs"))
    per_shard = [set(json.loads((graded / f"shard-{i}" / "grading.json").read_text())["students"])
                 for i in range(SHARDS)]
    assert set().union(*per_shard) == every and sum(map(len, per_shard)) == len(every)
    assert sum(bool(s) for s in per_shard) >= 2, "the class should spread over several shards"
    for name in ("grades.csv", "class/scores.png", "class/chapters.png"):
        assert (graded / "gathered" / name).read_bytes() == (graded / "all" / name).read_bytes(), name
    # the class report too, but for the slowest checks: the shards graded everyone again, on other clocks
    one, other = (json.loads((graded / d / "class" / "summary.json").read_text()) for d in ("all", "gathered"))
    assert [s["id"] for s in one.pop("slowest")] and other.pop("slowest")
    assert one == other
    page = lambda d: re.sub(r"<h2 id='slowest'>.*?</table>", "", (graded / d / "class" / "index.html").read_text())  # noqa: E731
    assert page("all") == page("gathered")
    for student in every:
        one = json.loads((graded / "all" / student / "grade.json").read_text())
        other = json.loads((graded / "gathered" / student / "grade.json").read_text())
        strip = lambda g: [(r["id"], r["outcome"], r["earned"]) for r in g.get("records", [])]  # noqa: E731
        assert strip(one) == strip(other)
        assert (graded / "gathered" / student / "feedback" / "index.html").exists()


def test_the_gradebook_scores_and_flags(graded):
    rows = _rows(graded / "all" / "grades.csv")
    assert set(rows) == {"alice", "bob", "carol", "dave", "eve", "frank", "gina"}
    assert [rows[s]["total"] for s in ("alice", "eve", "frank", "gina")] == ["4"] * 4
    assert (rows["bob"]["total"], rows["carol"]["total"], rows["dave"]["total"]) == ("0", "1", "0")
    assert "audit" in rows["frank"]["flags"] and "audit" not in rows["alice"]["flags"]
    # the references, handed in five times (carol's with one function rewritten): every pair of them is similar;
    # the score never changes
    for student in ("alice", "carol", "eve", "frank", "gina"):
        assert "similar to" in rows[student]["flags"], rows[student]
    assert "similar to eve (100%)" in rows["alice"]["flags"]
    assert rows["bob"]["flags"] == rows["dave"]["flags"] == ""
    for student in rows:
        valid_results_json(graded / "all" / student / "results.json")


def test_gather_refuses_what_it_cannot_merge(graded, tmp_path):
    full = next(graded / f"shard-{i}" for i in range(SHARDS)
                if json.loads((graded / f"shard-{i}" / "grading.json").read_text())["students"])
    with pytest.raises(GatherError, match="in both"):
        gather([full, full], tmp_path / "twice")
    odd = tmp_path / "odd"
    shutil.copytree(graded / "shard-1", odd)
    manifest = json.loads((odd / "grading.json").read_text())
    manifest["checks"] = manifest["checks"][:1]
    (odd / "grading.json").write_text(json.dumps(manifest))
    with pytest.raises(GatherError, match="other checks"):
        gather([graded / "shard-0", odd], tmp_path / "mixed")
    with pytest.raises(GatherError, match="grading.json"):
        gather([graded / "subs"], tmp_path / "none")
    found = gather([graded / "shard-0", graded / "shard-2"], tmp_path / "partial", similarity=False)
    assert found["missing_shards"] == ["1/3"]


# --- the class dashboard in a real browser ------------------------------------------------------------

def _browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.skip("headless Chromium needs the Debian packages chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,2600"):
        options.add_argument(arg)
    options.binary_location = chromium
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=options)


def test_the_class_dashboard_in_chromium(graded, tmp_path):
    from selenium.webdriver.common.by import By
    page = graded / "gathered" / "class" / "index.html"
    browser = _browser()
    try:
        browser.get(page.as_uri())
        errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
        assert not errors, errors
        shot = tmp_path / "class-dashboard.png"
        assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 20_000
        text = browser.find_element(By.TAG_NAME, "body").text
        assert "Class report: 7 submissions" in text
        # the plots are drawn and load
        for alt in ("score histogram", "points per chapter"):
            img = browser.find_element(By.CSS_SELECTOR, f"img[alt='{alt}']")
            assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img) > 100
        # pass rates per chapter and exercise: 4 of 7 with full marks (dave's zip and bob's stubs get 0)
        chapters = browser.find_element(By.CSS_SELECTOR, "table.chapters").text
        assert "ch3" in chapters and "4 / 7" in chapters
        exercises = browser.find_element(By.CSS_SELECTOR, "table.exercises").text
        assert "softmax" in exercises and "linreg" in exercises
        # the most common failing message of each check, and how many students it hit
        failing = {tr.find_elements(By.TAG_NAME, "td")[0].text: [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                   for tr in browser.find_elements(By.CSS_SELECTOR, "table.failing tbody tr")}
        linreg = failing["ch3::linreg::book_example"]
        assert linreg[1] == "2 / 7" and linreg[3] == "1", linreg      # bob's stub and dave's unreadable zip
        matches = failing["ch3::softmax::matches_reference"]
        assert matches[1] == "3 / 7", matches                          # bob, carol, dave
        assert browser.find_elements(By.CSS_SELECTOR, "table.slowest tbody tr")
        assert "frank" in browser.find_element(By.CSS_SELECTOR, "table.integrity").text
        assert "imports gc" in browser.find_element(By.CSS_SELECTOR, "table.integrity").text
        similar = browser.find_element(By.CSS_SELECTOR, "table.similar").text
        assert "alice" in similar and "eve" in similar and "bob" not in similar
        # every student links to their feedback, and the links resolve
        links = browser.find_elements(By.CSS_SELECTOR, "#students a")
        assert len(links) == 7
        for a in links:
            target = Path(browser.execute_script("return decodeURIComponent(new URL(arguments[0].href).pathname)", a))
            assert target.is_file(), target
        # the filter box works (the page's script runs without errors)
        browser.find_element(By.ID, "filter").send_keys("car")
        shown = [tr.get_attribute("data-student") for tr in browser.find_elements(By.CSS_SELECTOR, "#students tbody tr")
                 if tr.is_displayed()]
        assert shown == ["carol"]
        browser.find_element(By.CSS_SELECTOR, "#students tr[data-student='carol'] a").click()
        assert browser.current_url.endswith("/carol/feedback/index.html") and "carol" in browser.page_source
        assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        browser.quit()
    shutil.copyfile(shot, graded / "class-dashboard.png")


# --- deployment manifests ----------------------------------------------------------------------------

DEPLOY = REPO_ROOT / "deploy"


def test_kubernetes_manifests_validate_and_shard_by_the_completion_index():
    kv = pytest.importorskip("kubernetes_validate")
    docs = {}
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            kv.validate(doc, kv.latest_version(), strict=True)
            docs[(doc["kind"], doc["metadata"]["name"])] = doc
    job = docs[("Job", "d2l-grade")]["spec"]
    assert job["completionMode"] == "Indexed" and job["parallelism"] == job["completions"]
    assert job["backoffLimitPerIndex"] >= 1
    container = job["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert int(env["SHARDS"]) == job["completions"]
    command = " ".join(container["args"])
    assert '--shard "${JOB_COMPLETION_INDEX}/${SHARDS}"' in command and "grade-all /data/submissions" in command
    assert job["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"] == "d2l-grading"
    assert docs[("PersistentVolumeClaim", "d2l-grading")]
    policy = docs[("NetworkPolicy", "d2l-grader-deny-all")]["spec"]
    assert set(policy["policyTypes"]) == {"Ingress", "Egress"} and policy["ingress"] == policy["egress"] == []
    assert policy["podSelector"]["matchLabels"] == job["template"]["metadata"]["labels"]
    gather_job = docs[("Job", "d2l-gather")]["spec"]["template"]["spec"]["containers"][0]
    assert "gather /data/reports/shard-*" in " ".join(gather_job["args"])


def test_slurm_array_and_actions_matrix_run_the_same_shard_command():
    sbatch = (DEPLOY / "slurm" / "grade.sbatch").read_text()
    array = next(line for line in sbatch.splitlines() if line.startswith("#SBATCH --array="))
    first, last = map(int, array.split("=")[1].split("-"))
    shards = int(next(line for line in sbatch.splitlines() if line.startswith("SHARDS=")).split("=")[1])
    assert (first, last + 1) == (0, shards)
    assert '--shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}"' in sbatch
    assert subprocess.run(["bash", "-n", DEPLOY / "slurm" / "grade.sbatch"]).returncode == 0
    assert "gather" in (DEPLOY / "slurm" / "gather.sbatch").read_text()
    flow = yaml.safe_load((DEPLOY / "github-actions" / "regrade.yml").read_text())
    grade = flow["jobs"]["grade"]
    assert grade["strategy"]["matrix"]["shard"] == list(range(int(flow["env"]["SHARDS"])))
    run = "\n".join(s.get("run", "") for s in grade["steps"])
    assert '--shard "${{ matrix.shard }}/${SHARDS}"' in run
    assert flow["jobs"]["gather"]["needs"] == "grade"
    assert "python -m autograder gather reports/report-shard-*" in "\n".join(
        s.get("run", "") for s in flow["jobs"]["gather"]["steps"])


# --- GitHub Classroom points ------------------------------------------------------------------------

def test_the_classroom_workflow_reports_points_the_reporter_reads(graded, tmp_path):
    flow = yaml.safe_load((REPO_ROOT / "autograder" / "grading" / "templates" / "classroom_grading.yml").read_text())
    assert flow["name"] == "Autograding Tests" and list(flow["jobs"]) == ["run-autograding-tests"]
    steps = flow["jobs"]["run-autograding-tests"]["steps"]
    step = next(s for s in steps if s.get("id") == "d2lgrade")
    reporter = next(s for s in steps if "autograding-grading-reporter" in s.get("uses", ""))
    runner = reporter["with"]["runners"]
    assert runner == "d2lgrade" and f"{runner.upper()}_RESULTS" in reporter["env"]
    assert "steps.d2lgrade.outputs.result" in reporter["env"][f"{runner.upper()}_RESULTS"]
    for student, expected in (("alice", 4), ("carol", 1), ("bob", 0)):
        # run the step's command as the runner would: in course/, the report in ../report
        (tmp_path / student / "course").mkdir(parents=True)
        shutil.copytree(graded / "all" / student, tmp_path / student / "report")
        output = tmp_path / student / "github_output"
        proc = subprocess.run(["bash", "-c", step["run"]], cwd=tmp_path / student / "course", capture_output=True,
                              text=True, env={**ENV, "GITHUB_OUTPUT": str(output)}, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        key, value = output.read_text().strip().split("=", 1)
        assert key == "result"
        results = json.loads(base64.b64decode(value))
        # what the reporter does with it (NotifyClassroom): the tests' scores against max_score
        total, most = sum(t["score"] for t in results["tests"]), results["max_score"]
        assert (total, most) == (expected, 4)
        assert results["status"] == ("pass" if expected == 4 else "fail")
        assert all(t["status"] in ("pass", "fail") and t["name"].startswith("ch3 ") for t in results["tests"])
    # no report at all (the grader crashed): an error the reporter shows, not a silent pass
    output = tmp_path / "none_output"
    (tmp_path / "none" / "course").mkdir(parents=True)
    subprocess.run(["bash", "-c", step["run"]], cwd=tmp_path / "none" / "course", env={**ENV, "GITHUB_OUTPUT": str(output)},
                   check=True, timeout=120)
    assert json.loads(base64.b64decode(output.read_text().split("=", 1)[1]))["status"] == "error"
