"""Plain values: what the student's process may send to the judge, encoded so that decoding runs no code.

A message is a JSON header (the structure) and a blob (the bytes of every tensor and array). Only
these cross: ``None``, ``bool``, ``int``, ``float``, ``complex``, ``str``, ``bytes``, ``list``,
``tuple``, ``dict``, ``set``, ``frozenset``, ``collections.Counter``/``OrderedDict``/``defaultdict``,
named tuples (rebuilt as named tuples of the same fields), ``slice``, ``torch.Tensor`` (exactly;
``nn.Parameter`` is rebuilt as a Parameter), ``torch.dtype``/``device``/``Size``, NumPy arrays and
scalars of numeric dtypes, and pandas frames and series (through pandas' JSON table format).
Everything else is *kept* in the student's process and crosses as a handle (``{"h": id}``) that
the judge wraps in a proxy; an object the judge sent crosses back as a reference to the judge's own
object (``{"ref": k}``). Subclasses of the plain types are refused or reduced to their plain
content (a ``str`` subclass crosses as its characters): the judge never receives a student's class.

The decoder validates everything it reads (dtypes from a fixed list, sizes that add up, bounded
depth) and builds the values itself.
"""
from __future__ import annotations

import collections
import io
import json
import math
import struct

import numpy as np
import torch

MAX_DEPTH = 200
MAX_HEADER = 64 << 20
DTYPES = {str(d).removeprefix("torch."): d for d in (
    torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.complex64, torch.complex128,
    torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool)}
NUMPY_KINDS = "biufc"


class BoundaryError(TypeError):
    """A value that may not cross to the judge (a tensor subclass, an unsupported array, ...)."""


# --- encoding (in the student's process) ---------------------------------------------------------

class Encoder:
    """``encode(value)`` -> bytes. ``keep(obj)`` gives the handle id of an object that stays behind;
    ``ref(obj)`` the index of an object the judge sent (or None)."""

    def __init__(self, keep, ref=lambda obj: None):
        self.keep, self.ref = keep, ref
        self.blob = io.BytesIO()

    def encode(self, value) -> bytes:
        header = json.dumps(self.node(value, 0), separators=(",", ":"), allow_nan=True).encode()
        return struct.pack("<Q", len(header)) + header + self.blob.getvalue()

    def _bytes(self, data) -> list[int]:
        start = self.blob.tell()
        self.blob.write(data)
        return [start, len(data)]

    def tensor(self, t: torch.Tensor, depth: int) -> dict:
        kind = type(t)
        if kind is not torch.Tensor and kind is not torch.nn.Parameter:
            raise BoundaryError(f"a torch.Tensor subclass ({kind.__name__}) cannot be graded: return a plain "
                                "torch.Tensor")
        if t.is_sparse or t.is_quantized or t.layout != torch.strided:
            raise BoundaryError(f"a {t.layout} tensor cannot be graded: return a dense tensor")
        dtype = str(t.dtype).removeprefix("torch.")
        if dtype not in DTYPES:
            raise BoundaryError(f"tensors of dtype {t.dtype} cannot be graded")
        node = {"dtype": dtype, "shape": list(t.shape), "device": str(t.device),
                "rg": bool(t.requires_grad), "leaf": bool(t.is_leaf), "param": kind is torch.nn.Parameter}
        if t.device.type != "meta":
            flat = torch.Tensor.detach(t).to("cpu").contiguous().reshape(-1)
            node["data"] = self._bytes(flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b"")
        grad = t.grad if t.is_leaf else None
        if grad is not None:
            node["grad"] = self.tensor(grad, depth + 1)
        return {"T": node}

    def node(self, v, depth: int):
        if depth > MAX_DEPTH:
            raise BoundaryError("the value is nested too deeply to be graded")
        index = self.ref(v)
        if index is not None:
            return {"ref": index}
        kind = type(v)
        if v is None or kind is bool or kind is str:
            return v
        if kind is int:
            return v if abs(v) < 1 << 1000 else {"big": str(v)}
        if kind is float:
            return {"f": v} if not math.isfinite(v) else v
        if isinstance(v, torch.Tensor):
            return self.tensor(v, depth)
        if kind is list:
            return {"l": [self.node(x, depth + 1) for x in v]}
        if kind is tuple:
            return {"t": [self.node(x, depth + 1) for x in v]}
        if kind is dict:
            return {"d": self._items(v, depth)}
        if kind is collections.OrderedDict:
            return {"od": self._items(v, depth)}
        if kind is collections.Counter:
            return {"counter": self._items(v, depth)}
        if kind is collections.defaultdict:
            return {"dd": self._items(v, depth)}
        if kind is set or kind is frozenset:
            return {"s" if kind is set else "fs": [self.node(x, depth + 1) for x in v]}
        if kind is complex:
            return {"c": [v.real, v.imag]}
        if kind is bytes or kind is bytearray:
            return {"b": self._bytes(bytes(v))}
        if kind is slice:
            return {"slice": [self.node(x, depth + 1) for x in (v.start, v.stop, v.step)]}
        if kind is torch.dtype:
            return {"dtype": str(v).removeprefix("torch.")}
        if kind is torch.device:
            return {"device": str(v)}
        if kind is torch.Size:
            return {"size": [int(x) for x in v]}
        if isinstance(v, tuple) and hasattr(kind, "_fields") and all(isinstance(f, str) for f in kind._fields):
            return {"nt": [kind.__name__, list(kind._fields), [self.node(x, depth + 1) for x in v]]}
        if kind is np.ndarray and v.dtype.kind in NUMPY_KINDS:
            return {"np": [v.dtype.str, list(v.shape), self._bytes(np.ascontiguousarray(v).tobytes())]}
        if isinstance(v, np.generic) and v.dtype.kind in NUMPY_KINDS:
            return {"npv": [v.dtype.str, self._bytes(v.tobytes())]}
        frame = _pandas_kind(v)
        if frame:
            return {"pd": [frame, self._frame(v if frame == "frame" else v.to_frame(), depth),
                           self.node(v.name, depth + 1) if frame == "series" else None]}
        if isinstance(v, (str, int, float)) and not isinstance(v, bool):   # subclasses: their plain content
            base = str if isinstance(v, str) else int if isinstance(v, int) else float
            return self.node(base(v), depth)
        return {"h": self.keep(v), "type": _type_name(kind), "mro": [_type_name(k) for k in kind.__mro__]}

    def _items(self, d, depth):
        return [[self.node(k, depth + 1), self.node(x, depth + 1)] for k, x in d.items()]

    def _column(self, values, depth) -> dict:
        """A column or index: its dtype's name and its values (an array for numeric dtypes, else a list)."""
        dtype = str(values.dtype)
        array = values.to_numpy()
        if isinstance(array, np.ndarray) and array.dtype.kind in NUMPY_KINDS:
            return {"dtype": dtype, "values": self.node(np.ascontiguousarray(array), depth + 1)}
        return {"dtype": dtype, "values": self.node([_scalar(x) for x in values.tolist()], depth + 1)}

    def _frame(self, df, depth) -> dict:
        import pandas as pd
        index = df.index
        node = {"columns": [self.node(c, depth + 1) for c in df.columns],
                "data": [self._column(df.iloc[:, i], depth + 1) for i in range(df.shape[1])],
                "index_name": self.node(index.name, depth + 1)}
        if type(index) is pd.RangeIndex:
            node["range"] = [index.start, index.stop, index.step]
        else:
            node["index"] = self._column(index, depth + 1)
        return node


def _scalar(x):
    """A value of an object column as a plain value (numpy scalars become Python numbers)."""
    return x.item() if isinstance(x, np.generic) else x


def _pandas_kind(v) -> str:
    if (type(v).__module__ or "").split(".")[0] != "pandas":
        return ""
    import pandas as pd
    return "frame" if type(v) is pd.DataFrame else "series" if type(v) is pd.Series else ""


# pandas dtypes a frame's columns may be rebuilt with (numeric ones are NumPy's)
PANDAS_DTYPES = {"object", "str", "string", "category", "boolean", "Int8", "Int16", "Int32", "Int64", "UInt8",
                 "UInt16", "UInt32", "UInt64", "Float32", "Float64"}


def _type_name(kind) -> str:
    return f"{getattr(kind, '__module__', '?')}.{getattr(kind, '__qualname__', kind.__name__)}"


PLAIN_SCALARS = (type(None), bool, int, float, complex, str, bytes, slice, torch.dtype, torch.device)


def is_plain(value, depth: int = 0) -> bool:
    """Whether ``value`` crosses as a value (no handle needed anywhere inside it)."""
    if depth > MAX_DEPTH:
        return False
    kind = type(value)
    if kind in PLAIN_SCALARS or kind in (torch.Tensor, torch.nn.Parameter, np.ndarray) or isinstance(value, np.generic):
        return True
    if kind in (list, tuple, set, frozenset, torch.Size) or (isinstance(value, tuple) and hasattr(kind, "_fields")):
        return all(is_plain(x, depth + 1) for x in value)
    if kind in (dict, collections.OrderedDict, collections.Counter, collections.defaultdict):
        return all(is_plain(k, depth + 1) and is_plain(x, depth + 1) for k, x in value.items())
    return bool(_pandas_kind(value))


# --- decoding (in the judge) ---------------------------------------------------------------------

class DecodeError(ValueError):
    """A message that is not a plain value (malformed, oversized, an unknown form)."""


class Decoder:
    """``decode(data)`` -> the value. ``handle(id, type, mro)`` makes the judge's proxy of a kept object;
    ``ref(k)`` returns the judge's own object number ``k``."""

    def column(self, node, depth: int):
        import pandas as pd
        dtype, values = str(node["dtype"]), self.value(node["values"], depth + 1)
        if isinstance(values, np.ndarray):       # a NumPy dtype, or a nullable one (Int64...) rebuilt from it
            return pd.array(values, dtype=dtype) if dtype in PANDAS_DTYPES else values
        if not isinstance(values, list):
            raise DecodeError("a malformed column")
        if dtype in PANDAS_DTYPES:
            return pd.array(values, dtype=dtype) if dtype != "object" else np.array(values + [None], dtype=object)[:-1]
        raise DecodeError(f"a column of an unsupported dtype {dtype!r}")

    def frame(self, node, depth: int):
        import pandas as pd
        if not isinstance(node, dict) or len(node.get("columns", [])) != len(node.get("data", [])):
            raise DecodeError("a malformed frame")
        columns = [self.value(c, depth + 1) for c in node["columns"]]
        data = [self.column(c, depth + 1) for c in node["data"]]
        if "range" in node:
            start, stop, step = (int(v) for v in node["range"])
            index = pd.RangeIndex(start, stop, step)
        else:
            index = pd.Index(self.column(node["index"], depth + 1))
        index.name = self.value(node.get("index_name"), depth + 1)
        frame = pd.DataFrame({i: pd.Series(d, index=index) for i, d in enumerate(data)}, index=index)
        frame.columns = pd.Index(columns) if columns else frame.columns
        return frame

    def __init__(self, handle, ref):
        self.handle, self.ref = handle, ref

    def decode(self, data: bytes):
        if len(data) < 8:
            raise DecodeError("a truncated message")
        (n,) = struct.unpack("<Q", data[:8])
        if n > MAX_HEADER or 8 + n > len(data):
            raise DecodeError("a malformed message header")
        try:
            header = json.loads(data[8:8 + n])
        except ValueError as e:
            raise DecodeError(f"a malformed message: {e}") from None
        self.blob = memoryview(data)[8 + n:]
        return self.value(header, 0)

    def _bytes(self, span) -> bytes:
        if not (isinstance(span, list) and len(span) == 2 and all(type(x) is int and x >= 0 for x in span)
                and span[0] + span[1] <= len(self.blob)):
            raise DecodeError("a byte range outside the message")
        return bytes(self.blob[span[0]:span[0] + span[1]])

    def tensor(self, node) -> torch.Tensor:
        if not isinstance(node, dict) or node.get("dtype") not in DTYPES:
            raise DecodeError("a tensor of an unknown dtype")
        dtype, shape = DTYPES[node["dtype"]], node.get("shape")
        if not (isinstance(shape, list) and all(type(s) is int and s >= 0 for s in shape)):
            raise DecodeError("a tensor with a malformed shape")
        device = torch.device(str(node.get("device", "cpu")))
        if device.type == "meta":
            t = torch.empty(shape, dtype=dtype, device="meta")
        else:
            raw = self._bytes(node.get("data"))
            itemsize = torch.empty((), dtype=dtype).element_size()
            if len(raw) != math.prod(shape) * itemsize:
                raise DecodeError("a tensor whose bytes do not match its shape")
            t = (torch.frombuffer(bytearray(raw), dtype=torch.uint8).view(dtype) if raw
                 else torch.empty(0, dtype=dtype)).reshape(shape)
            if device.type != "cpu":
                t = t.to(device)
        if node.get("rg") is True and (t.is_floating_point() or t.is_complex()):
            t.requires_grad_(True)
        if node.get("param") is True:
            t = torch.nn.Parameter(t, requires_grad=t.requires_grad)
        if "grad" in node:
            grad = self.value(node["grad"], 1)
            if isinstance(grad, torch.Tensor) and grad.shape == t.shape and grad.dtype == t.dtype:
                t.grad = grad.detach()
        return t

    def value(self, node, depth: int):
        if depth > MAX_DEPTH:
            raise DecodeError("a message nested too deeply")
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list) or not isinstance(node, dict) or len(node) not in (1, 3):
            raise DecodeError("an unknown form in the message")
        (key, x), = list(node.items())[:1]
        sub = lambda items: [self.value(i, depth + 1) for i in items]  # noqa: E731
        pairs = lambda items: [(self.value(k, depth + 1), self.value(v, depth + 1)) for k, v in items]  # noqa: E731
        if key == "h":
            return self.handle(x, str(node.get("type", "?")), [str(m) for m in node.get("mro", [])])
        if key == "ref":
            return self.ref(x)
        if key == "T":
            return self.tensor(x)
        if key == "l":
            return sub(x)
        if key == "t":
            return tuple(sub(x))
        if key == "d":
            return dict(pairs(x))
        if key == "od":
            return collections.OrderedDict(pairs(x))
        if key == "counter":
            return collections.Counter(dict(pairs(x)))
        if key == "dd":
            return collections.defaultdict(None, pairs(x))
        if key == "s":
            return set(sub(x))
        if key == "fs":
            return frozenset(sub(x))
        if key == "f":
            return float(x)
        if key == "big":
            return int(x)
        if key == "c":
            return complex(*x)
        if key == "b":
            return self._bytes(x)
        if key == "slice":
            return slice(*sub(x))
        if key == "dtype":
            if x not in DTYPES:
                raise DecodeError(f"an unknown dtype {x!r}")
            return DTYPES[x]
        if key == "device":
            return torch.device(str(x))
        if key == "size":
            return torch.Size(int(s) for s in x)
        if key == "nt":
            name, fields, values = x
            if not (str(name).isidentifier() and all(str(f).isidentifier() and not str(f).startswith("_")
                                                     for f in fields)) or len(fields) != len(values):
                raise DecodeError("a malformed named tuple")
            return collections.namedtuple(str(name), [str(f) for f in fields])(*sub(values))
        if key == "np":
            dtype, shape, span = x
            dt = np.dtype(str(dtype))
            if dt.kind not in NUMPY_KINDS:
                raise DecodeError("an array of an unsupported dtype")
            raw = self._bytes(span)
            if len(raw) != math.prod(shape) * dt.itemsize:
                raise DecodeError("an array whose bytes do not match its shape")
            return np.frombuffer(raw, dtype=dt).reshape(shape).copy()
        if key == "npv":
            dtype, span = x
            dt = np.dtype(str(dtype))
            if dt.kind not in NUMPY_KINDS:
                raise DecodeError("a scalar of an unsupported dtype")
            return np.frombuffer(self._bytes(span), dtype=dt)[0]
        if key == "pd":
            kind, frame, name = x
            built = self.frame(frame, depth)
            if kind == "frame":
                return built
            series = built.iloc[:, 0]
            series.name = self.value(name, depth + 1)
            return series
        raise DecodeError(f"an unknown form {key!r} in the message")
