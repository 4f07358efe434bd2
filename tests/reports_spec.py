"""What a valid report is: Gradescope's results.json keys and types, and parseable JUnit XML."""
import json
import xml.etree.ElementTree as ET
from pathlib import Path

NUMBER = (int, float)
TOP = {"score": NUMBER, "max_score": NUMBER, "execution_time": NUMBER, "output": str, "tests": list}
TEST = {"name": str, "score": NUMBER, "max_score": NUMBER, "status": str, "output": str, "visibility": str}


def valid_results_json(path: Path) -> dict:
    data = json.loads(Path(path).read_text())
    for key, kind in TOP.items():
        assert isinstance(data.get(key), kind), f"results.json: {key} should be {kind}, got {data.get(key)!r:.80}"
    for test in data["tests"]:
        for key, kind in TEST.items():
            assert isinstance(test.get(key), kind), f"results.json test {test.get('name')}: bad {key}"
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "after_published", "after_due_date", "hidden")
        assert 0 <= test["score"] <= test["max_score"]
    assert abs(sum(t["score"] for t in data["tests"]) - data["score"]) < 1e-9
    assert abs(sum(t["max_score"] for t in data["tests"]) - data["max_score"]) < 1e-9
    return data


def valid_junit(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert int(root.get("tests")) == len(cases) > 0
    assert int(root.get("failures")) == sum(c.find("failure") is not None for c in cases)
    return root
