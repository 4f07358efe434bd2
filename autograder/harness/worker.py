"""The student's side of the boundary: runs what the judge asks on the code under test, answers in plain values.

The judge sends requests (pickled by ``session.JudgePickler``: the judge is trusted, so the worker
may unpickle them) and receives answers encoded by ``plain.Encoder`` (decoded with no code run).
An object that is not a plain value stays here in ``objects`` and the judge gets a handle; a tensor
or module the judge sent is *tracked*, and after the request the worker reports what happened to
it (new values, a rebound ``.data``, gradients, ``requires_grad``, train/eval flags, public
attributes), so the judge's own objects end up as if the call had run on them.

Judge objects that must not leave the judge (reference solutions) arrive as ``JudgeStub``s: calling
one, or reading its attributes, asks the judge (a callback). A stub of a function that gets tensors
which require gradients runs as a ``torch.autograd.Function`` whose backward asks the judge for the
vector-Jacobian product, so autograd flows through reference code that never runs here.

Nothing here decides a verdict: it only reports what the code under test did.
"""
from __future__ import annotations

import dataclasses
import pickle
import traceback
import types
from pathlib import Path

import numpy as np
import torch
from torch.utils import _pytree as pytree

from autograder.harness.plain import BoundaryError, Encoder, is_plain

GRADER = str(Path(__file__).resolve().parents[1])


@dataclasses.dataclass
class _TrackedTensor:
    obj: torch.Tensor
    version: int
    storage: int
    shape: tuple
    grad: object
    grad_version: int
    requires_grad: bool
    values: bytes | None = None        # the bytes it arrived with: a change made through .data keeps _version
    grad_values: bytes | None = None


class _Request:
    """What one request unpickled: the judge's tensors and objects, by index, and the stubs it sent."""

    def __init__(self):
        self.tensors: dict[int, _TrackedTensor] = {}
        self.objects: dict[int, object] = {}
        self.ids: dict[int, int] = {}        # id(obj) -> index, for answers that hand a judge object back


_CURRENT: list[tuple["Worker", _Request]] = []
_DEPTH = [0]            # > 0 while a request runs: the student's side, where references do not exist


def on_student_side() -> bool:
    return _DEPTH[0] > 0


def _same_values(t: torch.Tensor, original: bytes | None) -> bool:
    """Whether ``t`` still holds the bytes it arrived with (``t.data.normal_()``, ``p.data -= ...`` and
    ``p.grad.data.zero_()`` change a tensor without changing its ``_version``)."""
    if original is None or t.device.type == "meta":
        return True
    flat = t.detach().to("cpu").contiguous().reshape(-1)
    if not flat.numel():
        return original == b""
    return bool(np.array_equal(np.frombuffer(original, dtype=np.uint8), flat.view(torch.uint8).numpy()))


def _storage(t: torch.Tensor) -> int:
    return 0 if t.device.type == "meta" else t.untyped_storage().data_ptr()


def _tracked_tensor(index, raw, requires_grad, grad, is_param):
    """Rebuild a judge tensor (called by the unpickler)."""
    _, request = _CURRENT[-1]
    data, grad_raw, grad = _raw_tensor(*raw), grad, (_raw_tensor(*grad) if grad is not None else None)
    t = torch.nn.Parameter(data, requires_grad=requires_grad) if is_param else data.requires_grad_(requires_grad)
    if grad is not None:         # a frozen parameter may still carry a .grad
        t.grad = grad
    request.tensors[index] = _TrackedTensor(t, t._version, _storage(t), tuple(t.shape), t.grad,
                                            t.grad._version if t.grad is not None else 0, t.requires_grad,
                                            raw[2], grad_raw[2] if grad_raw is not None else None)
    request.ids[id(t)] = index
    return t


def _raw_tensor(dtype, shape, data, device):
    """A tensor from its dtype, shape and bytes (see ``session.raw_tensor_args``)."""
    dtype = getattr(torch, dtype.removeprefix("torch."))
    if device == "meta":
        return torch.empty(shape, dtype=dtype, device="meta")
    t = (torch.frombuffer(bytearray(data), dtype=torch.uint8).view(dtype) if data
         else torch.empty(0, dtype=dtype)).reshape(shape)
    return t if device == "cpu" else t.to(device)


def _plain_tensor(raw, requires_grad, is_param):
    """Rebuild a tensor of a callback's answer (not tracked)."""
    data = _raw_tensor(*raw)
    return torch.nn.Parameter(data, requires_grad=requires_grad) if is_param else data.requires_grad_(requires_grad)


def _tracked_object(index, rebuild, args):
    """Rebuild a judge module or object (called by the unpickler; its state is set by pickle afterwards)."""
    _, request = _CURRENT[-1]
    obj = rebuild(*args)
    request.objects[index] = obj
    request.ids[id(obj)] = index
    return obj


def _in_place(code: bytes, mixin):
    """A reference piece sent with its code (``session.InPlace``), behind the check's ``mixin`` if any."""
    obj = pickle.loads(code)
    return obj if mixin is None else type(obj.__name__, (mixin, obj), {"__module__": obj.__module__,
                                                                     "__qualname__": obj.__qualname__})


def _judge_stub(stub_id, kind):
    worker, _ = _CURRENT[-1]
    return worker.stub(stub_id, kind)


class JudgeStub:
    """An object of the judge's, used from here through callbacks (a reference function or object)."""

    __slots__ = ("_worker", "_id", "_kind")

    def __init__(self, worker, stub_id, kind):
        object.__setattr__(self, "_worker", worker)
        object.__setattr__(self, "_id", stub_id)
        object.__setattr__(self, "_kind", kind)

    def __call__(self, *args, **kwargs):
        leaves = [x for x in pytree.tree_leaves((args, kwargs)) if isinstance(x, torch.Tensor)]
        if self._kind == "function" and torch.is_grad_enabled() and any(t.requires_grad for t in leaves):
            return _call_with_autograd(self, args, kwargs)
        return self._worker.callback(self._id, "call", args, kwargs)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._worker.callback(self._id, "getattr", name)

    def __getitem__(self, key):
        return self._worker.callback(self._id, "getitem", key)

    def __len__(self):
        return self._worker.callback(self._id, "len")

    def __iter__(self):
        return iter(self._worker.callback(self._id, "list"))

    def __repr__(self):
        return f"<the grader's {self._kind} #{self._id}>"


class _JudgeFunction(torch.autograd.Function):
    """Forward and backward of a judge function, both computed by the judge."""

    @staticmethod
    def forward(ctx, stub, info, *tensors):
        spec, is_tensor, rest, box = info
        args, kwargs = pytree.tree_unflatten(_merge(tensors, rest, is_tensor), spec)
        outputs, tape = stub._worker.callback(stub._id, "forward", args, kwargs)
        leaves, out_spec = pytree.tree_flatten(outputs)
        out_is_tensor = [isinstance(o, torch.Tensor) for o in leaves]
        box.append((out_spec, [o for o in leaves if not isinstance(o, torch.Tensor)], out_is_tensor))
        ctx.stub, ctx.tape = stub, tape
        out = tuple(o.detach() for o in leaves if isinstance(o, torch.Tensor))
        ctx.mark_non_differentiable(*[o for o in out if not (o.is_floating_point() or o.is_complex())])
        return out

    @staticmethod
    def backward(ctx, *grads):
        got = ctx.stub._worker.callback(ctx.stub._id, "backward", ctx.tape, list(grads))
        return (None, None, *got)


def _merge(tensors, rest, is_tensor):
    tensors, rest = list(tensors), list(rest)
    return [tensors.pop(0) if t else rest.pop(0) for t in is_tensor]


def _call_with_autograd(stub, args, kwargs):
    leaves, spec = pytree.tree_flatten((args, kwargs))
    is_tensor = [isinstance(x, torch.Tensor) for x in leaves]
    tensors = [x for x in leaves if isinstance(x, torch.Tensor)]
    rest = [x for x in leaves if not isinstance(x, torch.Tensor)]
    box: list = []
    flat_out = _JudgeFunction.apply(stub, (spec, is_tensor, rest, box), *tensors)
    out_spec, out_rest, out_is_tensor = box[0]
    return pytree.tree_unflatten(_merge(flat_out, out_rest, out_is_tensor), out_spec)


class Poisoned:
    """What a student's function or class that hung in an earlier check is replaced with (by the judge):
    calling it fails at once, with the reason, instead of hanging again."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, *args, **kwargs):
        raise TimeoutError(self.message)


class StudentCodeError(Exception):
    """Raised (as an answer) when the code under test raised: carries what to show the student."""


def student_frame(tb) -> tuple[str, list[str]]:
    """``file.py:12 in fn`` of the innermost frame outside the grader and the libraries, and the student's
    part of the traceback."""
    frames = [f for f in traceback.extract_tb(tb) if not f.filename.startswith(GRADER)
              and "site-packages" not in f.filename and "/lib/python" not in f.filename]
    lines = [f"{Path(f.filename).name}:{f.lineno} in {f.name}" + (f": {f.line}" if f.line else "") for f in frames]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name}" if frames else ""
    return where, lines[-6:]


class Worker:
    """Runs requests on an implementation (``resolve(target)`` gives the object ``chN.module.name``).

    ``callback(frame) -> frame`` carries a callback to the judge and returns its answer: the link
    (in-process or a socket) decides how.
    """

    def __init__(self, resolve, callback=None, modules=lambda: []):
        self.resolve, self.modules = resolve, modules
        self.send_callback = callback
        self.objects: dict[int, object] = {}
        self.handles: dict[int, int] = {}
        self.next_handle = 1
        self.stubs: dict[int, JudgeStub] = {}
        self.patched: list[tuple[dict, str, object]] = []

    # -- objects that stay here ---------------------------------------------------------------
    def keep(self, obj) -> int:
        handle = self.handles.get(id(obj))
        if handle is None or self.objects.get(handle) is not obj:
            handle, self.next_handle = self.next_handle, self.next_handle + 1
            self.objects[handle] = obj
            self.handles[id(obj)] = handle
        return handle

    def stub(self, stub_id, kind) -> JudgeStub:
        if stub_id not in self.stubs:
            self.stubs[stub_id] = JudgeStub(self, stub_id, kind)
        return self.stubs[stub_id]

    # -- the wire format ----------------------------------------------------------------------
    def loads(self, data: bytes, request: _Request):
        worker = self

        class Unpickler(pickle.Unpickler):
            def persistent_load(self, pid):
                kind, value = pid
                if kind == "h":
                    if value not in worker.objects:
                        raise KeyError(f"the grader referred to an object that no longer exists (#{value})")
                    return worker.objects[value]
                raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")

        _CURRENT.append((self, request))
        try:
            import io
            return Unpickler(io.BytesIO(data)).load()
        finally:
            _CURRENT.pop()

    def dumps(self, value, request: _Request | None = None) -> bytes:
        ids = request.ids if request is not None else {}

        def ref(obj):
            if isinstance(obj, JudgeStub):
                return ["s", obj._id]
            index = ids.get(id(obj))
            return index if index is not None and self._is_tracked(request, index, obj) else None
        return Encoder(self.keep, ref).encode(value)

    @staticmethod
    def _is_tracked(request, index, obj) -> bool:
        entry = request.tensors.get(index)
        return (entry is not None and entry.obj is obj) or request.objects.get(index) is obj

    # -- callbacks to the judge ---------------------------------------------------------------
    def callback(self, stub_id, op, *args):
        if self.send_callback is None:
            raise RuntimeError("this worker cannot reach the grader")
        depth, _DEPTH[0] = _DEPTH[0], 0      # the judge answers: its side again (in one process, too)
        try:
            mode = [torch.is_grad_enabled(), str(torch.get_default_dtype()).removeprefix("torch.")]
            answer = self.send_callback(self.dumps({"cb": stub_id, "op": op, "args": list(args), "mode": mode}))
        finally:
            _DEPTH[0] = depth
        result = self.loads(answer, _Request())
        if "error" in result:
            raise RuntimeError(result["error"])
        return result["ok"]

    # -- requests -----------------------------------------------------------------------------
    def handle(self, data: bytes) -> bytes:
        """Answer one request (bytes in, bytes out); student exceptions become error answers."""
        request = _Request()
        _DEPTH[0] += 1
        try:
            message = self.loads(data, request)
            from autograder.harness.session import _in_mode
            with _in_mode(message.get("mode")):
                value = self.run(message)
            answer = {"ok": value, "sync": self.sync(request)}
            return self.dumps(answer, request)
        except BoundaryError as e:
            return self.dumps({"error": {"type": "BoundaryError", "message": str(e), "where": "", "lines": []}})
        except BaseException as e:  # noqa: BLE001  (whatever the code under test raised, SystemExit too)
            if isinstance(e, KeyboardInterrupt) or type(e).__module__.startswith("_pytest"):
                raise           # Ctrl-C, or pytest's own time limit in this process: not the student's answer
            where, lines = student_frame(e.__traceback__)
            try:
                text = str(e)
            except BaseException:   # noqa: BLE001  (an exception whose __str__ raises)
                text = "(its message could not be read)"
            error = {"type": type(e).__name__, "message": text[:4000], "where": where, "lines": lines,
                     "not_implemented": isinstance(e, NotImplementedError),
                     "mro": [f"{k.__module__}.{k.__qualname__}" for k in type(e).__mro__]}
            try:
                return self.dumps({"error": error})
            except BaseException:   # noqa: BLE001
                return self.dumps({"error": {**error, "message": "(unprintable)"}})
        finally:
            _DEPTH[0] -= 1

    def run(self, message: dict):
        op = message["op"]
        if op == "resolve":
            found = self.resolve(message["target"])
            return next((old for _, _, old in self.patched if found is not old and self._replaces(found, old)),
                        found)
        if op == "call":
            return message["fn"](*message.get("args", ()), **message.get("kwargs", {}))
        if op == "reset":
            self.restore()
            self.objects.clear()
            self.handles.clear()
            self.stubs.clear()
            return None
        if op == "begin":
            from autograder.harness.registry import seed_everything
            seed_everything(message["seed"])
            for target, replacement in message["patches"]:
                self._substitute(target, replacement)
            return None
        if op == "restore":
            self.restore()
            return None
        obj = message["obj"]
        if op == "getattr":
            return getattr(obj, message["name"])
        if op == "setattr":
            setattr(obj, message["name"], message["value"])
            return None
        if op == "getitem":
            return obj[message["key"]]
        if op == "setitem":
            obj[message["key"]] = message["value"]
            return None
        if op == "len":
            return len(obj)
        if op == "iter":
            return iter(obj)
        if op == "next":
            try:
                return {"item": next(obj)}
            except StopIteration:
                return {"stop": True}
        if op == "contains":
            return message["item"] in obj
        if op == "bool":
            return bool(obj)
        if op == "repr":
            return repr(obj)[:2000]
        raise ValueError(f"unknown request {op!r}")

    def _substitute(self, target: str, replacement) -> None:
        """Wherever a module of the implementation binds the student's ``target``, bind ``replacement``."""
        try:
            original = self.resolve(target)
        except Exception:  # noqa: BLE001  (missing or broken: nothing calls it then)
            return
        for module in self.modules():
            namespace = vars(module)
            for name, value in list(namespace.items()):
                if value is original:
                    self.patched.append((namespace, name, value))
                    namespace[name] = replacement

    def _replaces(self, found, old) -> bool:
        return any(new is found and value is old for namespace, name, value in self.patched
                   for new in (namespace.get(name),))

    def restore(self) -> None:
        while self.patched:
            namespace, name, old = self.patched.pop()
            namespace[name] = old

    # -- what happened to the judge's objects -------------------------------------------------
    def sync(self, request: _Request) -> dict:
        tensors = []
        for index, e in request.tensors.items():
            t = e.obj
            moved = _storage(t) != e.storage or tuple(t.shape) != e.shape
            changed = moved or t._version != e.version or not _same_values(t, e.values)
            grad = t.grad if t.is_leaf else None
            grad_changed = grad is not e.grad or (grad is not None and (grad._version != e.grad_version or
                                                                         not _same_values(grad, e.grad_values)))
            if changed or grad_changed or t.requires_grad != e.requires_grad:
                tensors.append([index, t.detach() if changed else None, moved,
                                grad.detach() if grad_changed and grad is not None else
                                ("none" if grad_changed else "same"), t.requires_grad])
        objects = []
        for index, obj in request.objects.items():
            objects.append([index, _object_state(obj, request)])
        return {"tensors": tensors, "objects": objects}


def _public_attrs(obj) -> dict:
    found = {}
    for name, value in vars(obj).items():
        if name.startswith("_") or name == "training" or not is_plain(value):
            continue
        found[name] = value
    return found


def _object_state(obj, request: _Request) -> dict:
    """A judge object's state after the call: for a module, every submodule's mode, replaced parameters
    and buffers and public attributes; for another object, its public attributes."""
    if not isinstance(obj, torch.nn.Module):
        return {"attrs": _public_attrs(obj)}
    state = {"training": [], "tensors": [], "attrs": []}
    for path, module in obj.named_modules(remove_duplicate=False):
        state["training"].append([path, module.training])
        for kind in ("_parameters", "_buffers"):
            for name, value in getattr(module, kind).items():
                if value is None or request.ids.get(id(value)) is None:
                    state["tensors"].append([path, kind, name, value])
        state["attrs"].append([path, _public_attrs(module)])
    return state


def serve_local(worker: Worker, data: bytes) -> bytes:
    return worker.handle(data)


__all__ = ["Worker", "JudgeStub", "StudentCodeError", "student_frame", "types"]
