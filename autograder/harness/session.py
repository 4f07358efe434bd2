"""The judge's side of the boundary: proxies of the code under test, and the requests behind them.

A check receives ``Remote`` proxies for the student's objects. Calling one, reading an attribute,
indexing, iterating or asking ``len`` sends a request to the worker (``worker.Worker``) and returns
what came back: plain values (``plain``) or more proxies. The worker may live in this process
(``LocalLink``: ``pytest exercises/ch3``, nbgrader) or in a sandbox (``grading.link.SocketLink``);
the bytes exchanged are the same, so a check behaves the same on every path.

What the judge sends is pickled with ``JudgePickler``: check code (lambdas, stand-in classes) goes by
value, tensors and modules are tracked so that the worker's report of what the call did to them
is applied to the judge's own objects, proxies go as their handles, and objects of the reference
solutions never leave: they go as stubs that call back into the judge. The one exception is ``InPlace``:
a reference piece (a layer) plugged into the student's network must hold its parameters and carry
autograd where the network runs, so it goes with its code, for the checks that plug it in.
"""
from __future__ import annotations

import contextlib
import functools
import io
import itertools
import pickle
import sys

import cloudpickle
import torch
from torch.utils import _pytree as pytree

from autograder.harness import worker as _worker
from autograder.harness.plain import Decoder

REFERENCE_PREFIX = "_d2l_reference"


class StudentError(AssertionError):
    """The code under test raised (or could not be imported): the message says what and where."""


class StudentNotImplemented(StudentError):
    """The code under test is still the stub."""


@functools.lru_cache(maxsize=None)
def _student_error_class(kind: type) -> type:
    return type(f"Student{kind.__name__}", (StudentError, kind), {"__module__": __name__})


def student_error_class(mro: list[str]) -> type:
    """``StudentError``, also an instance of the first class of the exception's that the judge has itself
    (``ValueError``, ``pickle.UnpicklingError``...), so ``except ValueError`` in a check sees a student's
    ``ValueError``, and ``list(proxy)`` the ``TypeError`` of an object without ``len``."""
    for name in mro:
        found = _trusted_class((name,))
        if isinstance(found, type) and issubclass(found, Exception) and found is not Exception:
            try:
                return _student_error_class(found)
            except TypeError:       # a layout that cannot be combined with AssertionError
                continue
    return StudentError


class WorkerLost(Exception):
    """The student's process died, ran past the time limit, or sent what is not an answer (its stream can no
    longer be trusted) during a request: the caller replaces it."""

    def __init__(self, why: str, *, timed_out: bool = False, garbled: bool = False):
        super().__init__(why)
        self.timed_out, self.garbled = timed_out, garbled


def ship_by_value(module_name: str) -> None:
    """Functions and classes of ``module_name`` (check code) are pickled with their code, not by name:
    the worker cannot import the check modules (the hidden ones are hidden from it)."""
    module = sys.modules.get(module_name)
    if module is not None:
        with contextlib.suppress(ValueError):
            cloudpickle.register_pickle_by_value(module)


class InPlace:
    """``substitute={"Inception": InPlace("ch7.googlenet.Inception")}``: the reference ``target`` goes with its
    code to where the student's code runs (a module that holds its parameters, plugged into the student's
    network), not as a stub. ``mixin``: a check-code class put in front of it there (checks of its calls).
    The exercise it answers is graded by its own checks, in workers where it was not sent.

    Check code may also use one as the class or function itself: a check-code function that names it runs
    with the reference where the student's code lives, and called in the judge it is the reference. An
    instance of the reference class made in the judge goes with its class's code too (``WITH_CODE``)."""

    __slots__ = ("target", "mixin")

    def __init__(self, target: str, mixin: type | None = None):
        self.target, self.mixin = target, mixin
        if mixin is None:
            WITH_CODE.add(target)

    def __call__(self, *args, **kwargs):
        from autograder.harness.loader import reference
        return reference(self.target)(*args, **kwargs)

    def __repr__(self):
        return f"InPlace({self.target!r})"


WITH_CODE: set[str] = set()     # references that check code uses in place (their instances go with their code)


def _sent_with_code(cls) -> bool:
    """``cls`` is a reference class that an ``InPlace`` names (its module ``_d2l_reference_N.chN.module``)."""
    module = str(getattr(cls, "__module__", "") or "")
    return "." in module and f"{module.split('.', 1)[1]}.{cls.__qualname__}" in WITH_CODE


def reference_code(obj) -> bytes:
    """``obj`` (of the references) pickled with its code and that of the reference code it uses."""
    packages = [m for name, m in list(sys.modules.items()) if name.startswith(REFERENCE_PREFIX) and "." not in name]
    for package in packages:
        cloudpickle.register_pickle_by_value(package)
    try:
        return cloudpickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        for package in packages:
            cloudpickle.unregister_pickle_by_value(package)


def _is_reference(obj) -> bool:
    for owner in (obj, type(obj), getattr(obj, "__self__", None)):
        if owner is not None and str(getattr(owner, "__module__", "") or "").startswith(REFERENCE_PREFIX):
            return True
    return False


class JudgePickler(cloudpickle.Pickler):
    """Pickles a request: tracks tensors and modules, sends proxies as handles and references as stubs."""

    def __init__(self, file, session: "Session", tracked: list | None):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.session, self.tracked = session, tracked
        self._keep: list = []

    def persistent_id(self, obj):
        if type(obj) is Remote:
            return ("h", obj._handle)
        return None

    @staticmethod
    def _raw(t):
        """A tensor's values (a contiguous copy: faster than torch's storage pickling; views are not kept)."""
        return raw_tensor_args(t)

    def reducer_override(self, obj):
        if type(obj) is InPlace:
            from autograder.harness.loader import reference
            self.session.sent_in_place = True
            return _worker._in_place, (reference_code(reference(obj.target)), obj.mixin)
        if isinstance(obj, type) and _is_reference(obj) and _sent_with_code(obj):
            self.session.sent_in_place = True
            return _worker._in_place, (reference_code(obj), None)
        if _is_reference(obj) and not isinstance(obj, (type(sys), torch.Tensor)) and \
                not (self.tracked is not None and isinstance(obj, torch.nn.Module) and _sent_with_code(type(obj))):
            kind = "function" if callable(obj) and not isinstance(obj, type) else \
                "class" if isinstance(obj, type) else "object"
            return _worker._judge_stub, (self.session.stub_for(obj), kind)
        if isinstance(obj, torch.Tensor):
            data = self._raw(obj)
            if self.tracked is None:
                return _worker._plain_tensor, (data, obj.requires_grad, isinstance(obj, torch.nn.Parameter))
            self.tracked.append(obj)
            self._keep.append(obj)
            grad = self._raw(obj.grad) if obj.is_leaf and obj.grad is not None else None
            return _worker._tracked_tensor, (len(self.tracked) - 1, data, obj.requires_grad, grad,
                                             isinstance(obj, torch.nn.Parameter))
        if self.tracked is not None and (isinstance(obj, torch.nn.Module) or _is_check_object(obj)):
            reduced = obj.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
            if isinstance(reduced, tuple):
                self.tracked.append(obj)
                self._keep.append(obj)
                return (_worker._tracked_object, (len(self.tracked) - 1, reduced[0], reduced[1]), *reduced[2:])
        return super().reducer_override(obj)


def raw_tensor_args(t: torch.Tensor) -> tuple:
    t = t.detach()
    if t.device.type == "meta":
        return str(t.dtype), tuple(t.shape), None, "meta"
    flat = t.to("cpu").contiguous().reshape(-1)
    return str(t.dtype), tuple(t.shape), flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b"", \
        str(t.device)


def _is_check_object(obj) -> bool:
    module = type(obj).__module__ or ""
    return module.startswith("autograder.checks.") and not isinstance(obj, type) and hasattr(obj, "__dict__") \
        and not callable(obj)


class Remote:
    """The judge's proxy of an object that lives with the code under test."""

    __slots__ = ("_session", "_handle", "_type", "_mro", "_label", "_target", "__weakref__")

    def __init__(self, session, handle, type_name, mro, label, target=None):
        for k, v in zip(Remote.__slots__, (session, handle, type_name, mro, label, target)):
            object.__setattr__(self, k, v)

    def __call__(self, *args, **kwargs):
        return self._session.request("call", self._label, fn=self, args=args, kwargs=kwargs)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._session.request("getattr", f"{self._label}.{name}", obj=self, name=name)

    def __setattr__(self, name, value):
        self._session.request("setattr", f"{self._label}.{name}", obj=self, name=name, value=value)

    def __getitem__(self, key):
        return self._session.request("getitem", f"{self._label}[...]", obj=self, key=key)

    def __setitem__(self, key, value):
        self._session.request("setitem", f"{self._label}[...]", obj=self, key=key, value=value)

    def __len__(self):
        return self._session.request("len", f"len({self._label})", obj=self)

    def __iter__(self):
        return self._session.request("iter", f"iter({self._label})", obj=self)

    def __next__(self):
        step = self._session.request("next", f"next({self._label})", obj=self)
        if "stop" in step:
            raise StopIteration
        return step["item"]

    def __contains__(self, item):
        return self._session.request("contains", f"... in {self._label}", obj=self, item=item)

    def __bool__(self):
        return self._session.request("bool", f"bool({self._label})", obj=self)

    def __repr__(self):
        return f"<{self._type.rsplit('.', 1)[-1]} object of the code under test>"

    @property
    def __class__(self):
        """The nearest class of the object's that the judge has itself (``nn.Sequential``, ``nn.Module``,
        ``torch.optim.SGD``...), so that ``isinstance(proxy, nn.Module)`` answers as for the object. A class of
        the student's is never imported here."""
        return _trusted_class(tuple(self._mro))


TRUSTED_MODULES = ("torch", "builtins", "collections", "numpy", "pandas", "d2lkit", "pickle", "_pickle")


@functools.lru_cache(maxsize=512)
def _trusted_class(mro: tuple):
    for name in mro:
        module, _, qualname = name.rpartition(".")
        if module.split(".")[0] not in TRUSTED_MODULES or module not in sys.modules:
            continue
        obj = sys.modules[module]
        for part in qualname.split("."):
            obj = getattr(obj, part, None)
        if isinstance(obj, type) and obj is not object:
            return obj
    return Remote


def type_name(obj) -> str:
    """The class name of ``obj``, whether it is here or a ``Remote``."""
    return obj._type.rsplit(".", 1)[-1] if type(obj) is Remote else type(obj).__name__


def is_instance(obj, cls) -> bool:
    """``isinstance`` that also works on a ``Remote`` (by the qualified names of its classes)."""
    if type(obj) is not Remote:
        return isinstance(obj, cls)
    classes = cls if isinstance(cls, tuple) else (cls,)
    return any(f"{c.__module__}.{c.__qualname__}" in obj._mro for c in classes)


class LocalLink:
    """The worker in this process: the same bytes, no process boundary (pytest, nbgrader)."""

    def __init__(self, worker):
        self.worker = worker

    def request(self, data: bytes) -> bytes:
        return self.worker.handle(data)


class Session:
    """The judge's connection to one worker: proxies, callbacks, and what a request did."""

    def __init__(self, link, device: str = "cpu"):
        self.link, self.device = link, device
        self.remotes: dict[int, Remote] = {}
        self.stubs: dict[int, object] = {}
        self.stub_ids: dict[int, int] = {}
        self.tapes: dict[int, tuple] = {}
        self._counter = itertools.count(1)
        self.in_flight: list[str | None] = []   # the student's object each open request started from
        self.lost_in: list[str] = []            # ... when the worker was lost
        self.sent_in_place = False              # a reference went with its code (InPlace): retire the worker after

    # -- pickling -------------------------------------------------------------------------------
    def stub_for(self, obj) -> int:
        stub = self.stub_ids.get(id(obj))
        if stub is None or self.stubs.get(stub) is not obj:
            stub = next(self._counter)
            self.stubs[stub], self.stub_ids[id(obj)] = obj, stub
        return stub

    def dumps(self, value, tracked: list | None) -> bytes:
        buffer = io.BytesIO()
        JudgePickler(buffer, self, tracked).dump(value)
        return buffer.getvalue()

    def decode(self, data: bytes, tracked: list, label: str, target: str | None = None):
        def handle(h, type_name, mro):
            remote = self.remotes.get(h)
            if remote is None:
                remote = self.remotes[h] = Remote(self, h, type_name, mro, label, target)
            return remote

        def ref(x):
            if isinstance(x, list) and len(x) == 2 and x[0] == "s":
                return self.stubs[x[1]]
            return tracked[x]
        return Decoder(handle, ref).decode(data)

    # -- requests -------------------------------------------------------------------------------
    def request(self, op: str, label: str, **fields):
        tracked: list = []
        data = self.dumps({"op": op, **fields, "mode": _mode()}, tracked)
        target = fields["target"] if op == "resolve" else \
            next((v._target for v in fields.values() if type(v) is Remote), None)
        self.in_flight.append(target)
        try:
            reply = self.link.request(data)
        except WorkerLost:
            self.lost_in = [t for t in self.in_flight if t]
            raise
        finally:
            self.in_flight.pop()
        try:
            answer = self.decode(reply, tracked, label, target)
            if not isinstance(answer, dict) or not ("ok" in answer or "error" in answer):
                raise ValueError("not an answer")
        except Exception as e:  # noqa: BLE001  (whatever the student's process sent: never the judge's crash)
            self.lost_in = [t for t in self.in_flight if t]
            raise WorkerLost(f"what {label.split('(')[0]} sent back could not be read as a value "
                             f"({type(e).__name__}: {str(e)[:200]})", garbled=True) from None
        if "error" in answer:
            raise self.error(answer["error"], label)
        try:
            apply_sync(answer.get("sync", {}), tracked)
        except Exception as e:  # noqa: BLE001  (a report that does not fit the judge's objects)
            raise StudentError(f"what {label.split('(')[0]} did to its arguments could not be applied "
                               f"({type(e).__name__}: {str(e)[:200]})") from None
        return answer["ok"]

    @staticmethod
    def error(e: dict, label: str) -> StudentError:
        if not isinstance(e, dict):
            return StudentError(f"{label.split('(')[0]} failed (an unreadable error)")
        kind, message, where = str(e.get("type", "Exception")), str(e.get("message", "")), str(e.get("where", ""))
        if e.get("not_implemented"):
            return StudentNotImplemented(message or label)
        if kind in ("ImplementationError", "BoundaryError"):
            return StudentError(message)
        name = label.split("(")[0]
        return student_error_class(tuple(str(m) for m in e.get("mro", ()) if isinstance(m, str)))(f"{name} raised {kind}: {message}" + (f" (at {where})" if where else ""))

    def resolve(self, target: str, label: str):
        """The student's object ``chN.module.name``."""
        return self.request("resolve", label, target=target)

    def run(self, fn, *args, **kwargs):
        """``fn(*args, **kwargs)`` where the code under test lives (``fn`` is check or harness code); errors are
        named after the student's object it was given."""
        student = next((a for a in (*args, *kwargs.values()) if type(a) is Remote), None)
        label = student._label if student is not None else getattr(fn, "__name__", "the check's code")
        return self.request("call", label, fn=fn, args=args, kwargs=kwargs)

    def begin(self, patches: list[tuple[str, object]], seed: int = 0) -> None:
        """Start a check: seed the student's side as the judge is seeded (Python, NumPy and torch), and while the
        check runs let the student's modules call the given judge objects (reference solutions, as stubs)
        wherever they call the student's ``target``."""
        self.request("begin", "begin", patches=patches, seed=seed)

    def reset(self) -> None:
        """End of a check: forget every proxy and stub, undo substitutions."""
        self.request("reset", "reset")
        self.remotes.clear()
        self.stubs.clear()
        self.stub_ids.clear()
        self.tapes.clear()

    # -- callbacks from the worker --------------------------------------------------------------
    def on_callback(self, data: bytes) -> bytes:
        try:
            message = self.decode(data, [], "a callback")
            value = self.callback(message)
            return self.dumps({"ok": value}, None)
        except Exception as e:  # noqa: BLE001  (reported to the code under test as an exception)
            return self.dumps({"error": f"{type(e).__name__}: {e}"}, None)

    def callback(self, message: dict):
        with _in_mode(message.get("mode")):
            return self._callback(message)

    def _callback(self, message: dict):
        obj, op, args = self.stubs[message["cb"]], message["op"], message["args"]
        if op == "call":
            return obj(*args[0], **args[1])
        if op == "getattr":
            return getattr(obj, args[0])
        if op == "getitem":
            return obj[args[0]]
        if op == "len":
            return len(obj)
        if op == "list":
            return list(obj)
        if op == "forward":
            call_args, call_kwargs = args
            with torch.enable_grad():
                outputs = obj(*call_args, **call_kwargs)
            inputs = [x for x in pytree.tree_leaves((call_args, call_kwargs)) if isinstance(x, torch.Tensor)]
            tape = next(self._counter)
            self.tapes[tape] = (inputs, [o for o in pytree.tree_leaves(outputs) if isinstance(o, torch.Tensor)])
            return [pytree.tree_map(lambda o: o.detach() if isinstance(o, torch.Tensor) else o, outputs), tape]
        if op == "backward":
            tape, grads = args
            inputs, outputs = self.tapes.pop(tape)
            pairs = [(o, g) for o, g in zip(outputs, grads) if g is not None and o.requires_grad]
            wanted = [i for i, x in enumerate(inputs) if x.requires_grad]
            got = [None] * len(inputs)
            if pairs and wanted:
                found = torch.autograd.grad([o for o, _ in pairs], [inputs[i] for i in wanted],
                                            [g for _, g in pairs], allow_unused=True)
                for i, g in zip(wanted, found):
                    got[i] = g
            return got
        raise ValueError(f"unknown callback {op!r}")


def _mode() -> list:
    """What the code under test must run under, as here: grad mode and the default dtype."""
    return [torch.is_grad_enabled(), str(torch.get_default_dtype()).removeprefix("torch.")]


@contextlib.contextmanager
def _in_mode(mode):
    if not mode:
        yield
        return
    grad, dtype = mode
    old_dtype = torch.get_default_dtype()
    wanted = {"float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
              "bfloat16": torch.bfloat16}.get(str(dtype), old_dtype)
    torch.set_default_dtype(wanted)
    try:
        with torch.set_grad_enabled(bool(grad)):
            yield
    finally:
        torch.set_default_dtype(old_dtype)


def apply_sync(sync: dict, tracked: list) -> None:
    """Make the judge's objects what the worker reports the call left them as."""
    for index, value, moved, grad, requires_grad in sync.get("tensors", []):
        orig = tracked[index]
        if value is not None:
            with torch.no_grad():
                if moved or value.shape != orig.shape or value.dtype != orig.dtype or value.device != orig.device:
                    orig.data = value.detach()
                else:
                    orig.copy_(value)
        if orig.is_leaf:
            if orig.requires_grad != requires_grad and (orig.is_floating_point() or orig.is_complex()):
                orig.requires_grad_(requires_grad)
            if grad == "none":
                orig.grad = None
            elif isinstance(grad, torch.Tensor):
                orig.grad = grad if grad.shape == orig.shape and grad.dtype == orig.dtype else None
    for index, state in sync.get("objects", []):
        _apply_object_state(tracked[index], state)


def _own_modules(module, prefix: str = ""):
    """``(path, module)`` of a judge module and its submodules, stopping at the student's (proxies: what those
    hold is the worker's business)."""
    yield prefix, module
    for name, child in module._modules.items():
        if child is not None and type(child) is not Remote:
            yield from _own_modules(child, f"{prefix}.{name}" if prefix else name)


def _apply_object_state(obj, state: dict) -> None:
    if not isinstance(obj, torch.nn.Module):
        for name, value in state.get("attrs", {}).items():
            object.__setattr__(obj, name, value)     # frozen dataclasses of the check modules too
        return
    modules = dict(_own_modules(obj))
    for path, training in state.get("training", []):
        if path in modules:
            modules[path].training = bool(training)
    for path, kind, name, value in state.get("tensors", []):
        module = modules.get(path)
        if module is None:
            continue
        if value is None or isinstance(value, torch.Tensor):
            if kind == "_parameters" and isinstance(value, torch.Tensor) and not isinstance(value, torch.nn.Parameter):
                value = torch.nn.Parameter(value.detach(), requires_grad=value.requires_grad)
            getattr(module, kind)[name] = value
    for path, attrs in state.get("attrs", []):
        module = modules.get(path)
        if module is not None:
            for name, value in attrs.items():
                if name not in module._parameters and name not in module._buffers and name not in module._modules:
                    object.__setattr__(module, name, value)


def local_session(resolve, modules=lambda: [], device: str = "cpu") -> Session:
    """A session whose worker runs in this process (``resolve(target)`` finds the student's objects)."""
    worker = _worker.Worker(resolve, modules=modules)
    session = Session(LocalLink(worker), device)
    worker.send_callback = session.on_callback
    return session
