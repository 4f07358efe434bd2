"""The hostile catalog: bad and malicious submissions, each with the score it must get and what it must say.

A case is the source appended to a copy of ``solutions/ch3/<module>.py`` (so ``_ref`` names the
reference function it shadows, captured before the bad definition), graded on a few checks of
two modules: ``softmax`` (where the hostile code lives) and ``linreg`` (another module, whose
points must survive whatever ``softmax_regression.py`` does). ``passing`` names the check-id
substrings that must pass; every other selected check must fail, the first failing softmax
check with ``message`` in its message. ``needs`` names what the platform must give for the
case to be meaningful (``uid``: the grader is root and switches user; ``hide``: secret files
hidden; ``net``: no network); a case whose needs are not met is skipped, saying why.

Verdicts are decided in the judge, where no student code runs: a submission that patches torch,
the harness or pytest in its own process, or walks ``gc`` for the references, changes nothing but
what its own functions return. Each attack class of the judge issue has its cases: tensor
subclasses, patches restored from a timer, signal handlers, tracing hooks, finalizers, forked
grandchildren, threads that outlive a call, and speed cheats (a patched clock, a patched
``torch.utils.benchmark``, caching on a tensor's identity or contents).
"""
from __future__ import annotations

import dataclasses
import textwrap

SELECT = ("ch3::linreg::book_example", "ch3::linreg::matches_reference", "ch3::softmax::book_example",
          "ch3::softmax::matches_reference", "ch3::softmax::stability")
SPEED = ("ch3::linreg::book_example", "ch3::softmax::book_example", "ch3::softmax::speed")
QUICK = ("ch3::linreg::book_example", "ch3::linreg::matches_reference", "ch3::softmax::book_example")
SENTINEL = "/tmp/d2l-hostile-sentinel"      # a folder the test creates; the sandbox must not touch it
PREFIX = "_ref = softmax\n"


@dataclasses.dataclass
class Hostile:
    name: str
    source: str
    passing: tuple = ("linreg",)
    message: str | tuple = ""   # the first failing softmax check's message holds it (or one of them)
    select: tuple = QUICK
    needs: tuple = ()
    module: str = "softmax_regression"

    def __post_init__(self):
        self.source = PREFIX + textwrap.dedent(self.source).strip() + "\n"


ALL = ("linreg", "softmax")
CASES = [
    Hostile("syntax_error", "def softmax(X):\n    return X +", message="does not compile"),
    Hostile("exception_at_import", "raise RuntimeError('boom at import')", message="raised RuntimeError: boom at import"),
    Hostile("missing_name", "del softmax", message="has no 'softmax'"),
    Hostile("wrong_return_type", "def softmax(X):\n    return X.tolist()", message="tensor"),
    Hostile("wrong_shape", "def softmax(X):\n    return _ref(X).sum(1)", message="shape"),
    Hostile("nan_outputs", "def softmax(X):\n    return _ref(X) * float('nan')", message="nan"),
    Hostile("infinite_loop", "def softmax(X):\n    while True:\n        pass", message="time limit"),
    Hostile("sleep_forever", "import time\ndef softmax(X):\n    time.sleep(10**6)", message="time limit"),
    Hostile("allocate_50_gb", "def softmax(X):\n    torch.ones(50 * 2**30, dtype=torch.uint8)\n    return _ref(X)",
            message="allocate"),
    Hostile("fork_loop", "import os\ndef softmax(X):\n    while True:\n        os.fork()", needs=("uid",)),
    Hostile("sys_exit_at_import", "import sys\nsys.exit(0)", message="raised SystemExit"),
    Hostile("os_exit_in_function", "import os\ndef softmax(X):\n    os._exit(0)", message="ended the grading process",
            select=SELECT),
    Hostile("print_100_mb", "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * (1 << 20))\nsys.stdout.flush()",
            passing=ALL),
    Hostile("write_and_delete_outside", f"""
        import os, pathlib
        import autograder
        for victim in ("{SENTINEL}/victim.txt", str(pathlib.Path(autograder.__file__).parents[1] / "README.md")):
            try:
                os.remove(victim)
            except OSError:
                pass
        for target in ("{SENTINEL}/new.txt", str(pathlib.Path(autograder.__file__).parents[1] / "PWNED.txt"),
                       str(pathlib.Path.cwd().parent / "PWNED.txt")):
            try:
                pathlib.Path(target).write_text("pwned")
            except OSError:
                pass
        """, passing=ALL, needs=("uid",)),
    Hostile("patch_allclose", """
        torch.allclose = lambda *a, **k: True
        torch.testing.assert_close = lambda *a, **k: None
        def softmax(X):
            return X
        """, message="is wrong"),
    Hostile("patch_checks_module", """
        import gc, types
        for m in gc.get_objects():
            if isinstance(m, types.ModuleType) and getattr(m, "__name__", "").startswith("autograder"):
                for name in ("assert_close", "assert_matches_reference", "assert_tensor"):
                    if hasattr(m, name):
                        setattr(m, name, lambda *a, **k: None)
        def softmax(X):
            return X
        """, message="is wrong"),
    Hostile("patch_pytest_reporting", """
        import pytest, _pytest.reports
        _pytest.reports.TestReport.passed = property(lambda self: True)
        pytest.fail = lambda *a, **k: None
        def softmax(X):
            return X
        """, message="softmax"),
    Hostile("tensor_subclass_fakes_comparisons", """
        class _Agreeable(torch.Tensor):
            @classmethod
            def __torch_function__(cls, func, types, args=(), kwargs=None):
                name = getattr(func, "__name__", "")
                if name in ("sub", "__sub__", "abs", "isnan", "gt", "__gt__", "ne", "__ne__"):
                    return torch.zeros(())
                if name in ("allclose", "equal", "eq", "__eq__"):
                    return True
                return super().__torch_function__(func, types, args, kwargs)
        def softmax(X):
            return torch.zeros_like(X).as_subclass(_Agreeable)
        """, message="subclass"),
    Hostile("patch_restored_from_a_timer", """
        import threading
        def softmax(X):
            original = torch.Tensor.__sub__
            torch.Tensor.__sub__ = lambda a, b: torch.zeros_like(a)
            threading.Timer(0.01, lambda: setattr(torch.Tensor, "__sub__", original)).start()
            return torch.zeros_like(X)
        """, message="is wrong"),
    Hostile("gc_walk_to_the_reference", """
        import gc, types
        def softmax(X):
            for obj in gc.get_objects():
                if isinstance(obj, types.FunctionType) and obj.__name__ == "softmax" and obj is not softmax \
                        and "reference" in (obj.__module__ or ""):
                    return obj(X)
            return X
        """, message="is wrong"),
    Hostile("signal_handler_race", """
        import signal
        def _meddle(*_):
            torch.allclose = lambda *a, **k: True
        signal.signal(signal.SIGALRM, _meddle)
        def softmax(X):
            signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)
            return X
        """, message="is wrong"),
    Hostile("trace_and_profile_hooks", """
        import sys
        def _tracer(frame, event, arg):
            if event == "return" and frame.f_code.co_name in ("assert_close", "assert_same_outputs"):
                frame.f_locals.clear()
            return _tracer
        sys.settrace(_tracer)
        sys.setprofile(lambda *a: None)
        def softmax(X):
            sys.settrace(_tracer)
            return X
        """, message="is wrong"),
    Hostile("finalizer_and_atexit", """
        import atexit, os, sys, weakref
        atexit.register(lambda: sys.stdout.write('{"record": {"id": "ch3::softmax::book_example"}}\\n'))
        class _Ghost:
            pass
        _ghost = _Ghost()
        weakref.finalize(_ghost, lambda: os.write(1, b"all checks passed\\n"))
        def softmax(X):
            return X
        """, message="is wrong"),
    Hostile("forked_grandchild", f"""
        import os, time
        def softmax(X):
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    time.sleep(3)
                    try:
                        open("{SENTINEL}/grandchild.txt", "w").write("still here")
                    except OSError:
                        pass
                    for fd in range(3, 64):
                        try:
                            os.write(fd, b"garbage")
                        except OSError:
                            pass
                    time.sleep(600)
                os._exit(0)
            return X
        """, message="is wrong", needs=("uid",)),
    Hostile("thread_outlives_the_call", """
        import threading, time
        def _scribble(t):
            for _ in range(200):
                t.fill_(1 / t.shape[1])
                time.sleep(0.001)
        def softmax(X):
            out = torch.zeros_like(X)
            threading.Thread(target=_scribble, args=(out,), daemon=True).start()
            return out
        """, message="is wrong"),
    Hostile("speed_patched_clocks", """
        import time
        import torch.utils.benchmark as benchmark
        time.perf_counter = lambda: 0.0
        time.monotonic = lambda: 0.0
        benchmark.Timer.blocked_autorange = lambda self, *a, **k: type("M", (), {"median": 1e-9})()
        benchmark.Timer.timeit = lambda self, *a, **k: type("M", (), {"median": 1e-9})()
        def softmax(X):
            return torch.stack([row.exp() / row.exp().sum() for row in X])
        """, passing=("linreg", "softmax::book_example"), select=SPEED, message="too slow"),
    Hostile("speed_caches_by_identity_and_contents", """
        _cache = {}
        def softmax(X):
            keys = (id(X), X._version, X.data_ptr(), hash(X.detach().cpu().numpy().tobytes()))
            for key in keys:
                if key in _cache:
                    return _cache[key].clone()
            out = torch.stack([row.exp() / row.exp().sum() for row in X])
            for key in keys:
                _cache[key] = out
            return out
        """, passing=("linreg", "softmax::book_example"), select=SPEED,
        # a stale id() hit (a freed input's address reused) answers wrongly; otherwise the per-row loop is slow
        message=("too slow", "on timing input #")),
    Hostile("speed_memo_of_the_first_answer", """
        _first = []
        def softmax(X):
            if not _first:
                _first.append(_ref(X))
            return _first[0] if _first[0].shape == X.shape and X.shape[0] > 100 else _ref(X)
        """, passing=("linreg", "softmax::book_example"), select=SPEED, message="on timing input #"),
    Hostile("fake_results_json", """
        import json, os, pathlib
        fake = {"score": 1000, "max_score": 6, "tests": []}
        for where in (pathlib.Path.cwd(), pathlib.Path.cwd().parent, pathlib.Path.home(), pathlib.Path("/tmp")):
            try:
                (where / "results.json").write_text(json.dumps(fake))
            except OSError:
                pass
        def softmax(X):
            return X
        """, message="softmax"),
    Hostile("forge_result_frames", """
        import os, struct
        def softmax(X):
            frame = b'{"record": {"outcome": "passed"}}\\n'
            for fd in range(3, 64):
                try:
                    os.write(fd, struct.pack("<Qc", len(frame), b"A") + frame)
                except OSError:
                    pass
            return X
        """, message="softmax"),
    Hostile("read_solutions", """
        import autograder.harness.loader as loader
        def softmax(X):
            namespace = {}
            exec((loader.REPO_ROOT / "solutions" / "ch3" / "softmax_regression.py").read_text(), namespace)
            return namespace["softmax"](X)
        """, message="[Errno", needs=("hide",)),
    Hostile("reference_from_grader", """
        from autograder.harness import reference
        def softmax(X):
            return reference("ch3.softmax_regression.softmax")(X)
        """, message="not available where the code under test runs"),
    Hostile("read_hidden_checks", """
        import autograder.harness.loader as loader
        def softmax(X):
            source = (loader.REPO_ROOT / "autograder" / "checks" / "hidden" / "ch3.py").read_text()
            return _ref(X) if "def check_" in source else X
        """, message="[Errno", needs=("hide",)),
    Hostile("network_connection", """
        import socket
        def softmax(X):
            try:
                socket.create_connection(("pypi.org", 443), timeout=5).close()
            except OSError:
                return _ref(X)
            return X           # connected: the sandbox let it out, so give a wrong answer
        """, passing=ALL, needs=("net",)),
    Hostile("warnings_on_stderr", """
        import sys, warnings
        print("loading my softmax", file=sys.stderr)
        def softmax(X):
            warnings.warn("this softmax is homemade")
            print("debug: softmax called", file=sys.stderr)
            return _ref(X)
        """, passing=ALL),
]
