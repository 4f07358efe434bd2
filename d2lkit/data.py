"""Data sets the book uses: where they are, how to read them, how to fetch them.

A data set is looked for, in order, in
1. ``$D2L_DATA_DIR`` (a folder laid out like the project's ``shared/data``:
   ``fashion-mnist/*.gz``, ``timemachine.txt``, ``kaggle_house_pred_*.csv``);
2. the user cache, ``$XDG_CACHE_HOME/d2l-exercises`` (``~/.cache/...``);
3. for Fashion-MNIST, Debian's ``/usr/share/datasets/fashion-mnist``
   (package ``dataset-fashion-mnist``);
4. the real download into the user cache: torchvision's
   ``FashionMNIST(download=True)`` where torchvision imports, else the
   upstream IDX files; the book's ``DATA_HUB`` URLs, checked by their sha1.
Set ``D2L_NO_DOWNLOAD=1`` to never touch the network.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import os
import urllib.request
from pathlib import Path

import numpy as np
import torch

DATA_URL = "http://d2l-data.s3-accelerate.amazonaws.com/"
# name: (url, sha1) -- the book's DATA_HUB entries.
DATA_HUB = {
    "timemachine.txt": (DATA_URL + "timemachine.txt", "090b5e7e70c295757f55df93cb0a180b9691891a"),
    "kaggle_house_pred_train.csv": (DATA_URL + "kaggle_house_pred_train.csv",
                                    "585e9cc93e70b39160e7921475f9bcd7d31219ce"),
    "kaggle_house_pred_test.csv": (DATA_URL + "kaggle_house_pred_test.csv",
                                   "fa19780a7b011d9b009e8bff8e99922a8ee2eb90"),
}
FASHION_MNIST_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
FASHION_MNIST_FILES = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


class DataNotFoundError(FileNotFoundError):
    """A data set is in none of the places we look and could not be downloaded."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "d2l-exercises"


def search_dirs() -> list[Path]:
    """The folders looked in, in order (the download goes to the last)."""
    dirs = []
    if os.environ.get("D2L_DATA_DIR"):
        dirs.append(Path(os.environ["D2L_DATA_DIR"]).expanduser())
    dirs.append(cache_dir())
    return dirs


def _not_found(what: str, looked: list[Path], why: str) -> DataNotFoundError:
    places = "\n".join(f"  - {p}" for p in looked)
    return DataNotFoundError(
        f"{what} was not found. Looked in:\n{places}\n{why}\n"
        "Fix: set D2L_DATA_DIR to a folder laid out like the project's shared/data "
        "(fashion-mnist/*.gz, timemachine.txt, kaggle_house_pred_*.csv), "
        "or run once with a network so it is downloaded to the cache, "
        "or (Fashion-MNIST) install Debian's dataset-fashion-mnist.")


def _downloads_allowed() -> bool:
    return os.environ.get("D2L_NO_DOWNLOAD", "") in ("", "0")


def sha1(path: Path) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download(name: str, folder: Path | None = None) -> Path:
    """Download a ``DATA_HUB`` file into ``folder`` (the cache) and check its sha1."""
    url, digest = DATA_HUB[name]
    folder = Path(folder or cache_dir())
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if target.exists() and sha1(target) == digest:
        return target
    with urllib.request.urlopen(url, timeout=60) as r, open(target, "wb") as f:
        f.write(r.read())
    if sha1(target) != digest:
        target.unlink()
        raise DataNotFoundError(f"{name}: the download from {url} has the wrong sha1")
    return target


def data_file(name: str) -> Path:
    """Path of a ``DATA_HUB`` file (``timemachine.txt``, the Kaggle CSVs)."""
    looked = search_dirs()
    for d in looked:
        if (d / name).is_file():
            return d / name
    if not _downloads_allowed():
        raise _not_found(name, looked, "Downloads are off (D2L_NO_DOWNLOAD is set).")
    try:
        return download(name)
    except OSError as e:
        raise _not_found(name, looked, f"The download failed: {e}") from None


def _fashion_mnist_dirs() -> list[Path]:
    dirs = []
    for d in search_dirs():
        dirs += [d / "fashion-mnist", d / "FashionMNIST" / "raw"]
    return dirs + [DEBIAN_FASHION_MNIST]


def _find_idx(name: str) -> Path | None:
    for d in _fashion_mnist_dirs():
        for candidate in (d / (name + ".gz"), d / name):
            if candidate.is_file():
                return candidate
    return None


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (optionally gzipped) into a uint8 array."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    if magic >> 8 != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {magic:#x})")
    ndim = magic & 0xFF
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _download_fashion_mnist() -> None:
    root = cache_dir()
    try:
        import torchvision  # noqa: F401  (its CUDA wheel fails to import on a CPU-only torch)
        torchvision.datasets.FashionMNIST(root=str(root), train=True, download=True)
        torchvision.datasets.FashionMNIST(root=str(root), train=False, download=True)
        return
    except ImportError:
        pass
    except Exception:  # torchvision present but broken: fall back to the plain files
        pass
    folder = root / "fashion-mnist"
    folder.mkdir(parents=True, exist_ok=True)
    for names in FASHION_MNIST_FILES.values():
        for name in names:
            with urllib.request.urlopen(FASHION_MNIST_URL + name + ".gz", timeout=60) as r:
                (folder / (name + ".gz")).write_bytes(r.read())


@functools.lru_cache(maxsize=2)
def read_fashion_mnist(train: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """Fashion-MNIST as tensors: images ``(N, 28, 28)`` uint8, labels ``(N,)`` int64.

    N is 60,000 for ``train=True`` and 10,000 otherwise. Read once per process.
    Treat the result as read-only: it is shared by every caller.
    """
    images_name, labels_name = FASHION_MNIST_FILES[train]
    paths = _find_idx(images_name), _find_idx(labels_name)
    if None in paths:
        looked = _fashion_mnist_dirs()
        if not _downloads_allowed():
            raise _not_found("Fashion-MNIST", looked, "Downloads are off (D2L_NO_DOWNLOAD is set).")
        try:
            _download_fashion_mnist()
        except OSError as e:
            raise _not_found("Fashion-MNIST", looked, f"The download failed: {e}") from None
        paths = _find_idx(images_name), _find_idx(labels_name)
        if None in paths:
            raise _not_found("Fashion-MNIST", looked, "The download left no IDX files.")
    images = torch.from_numpy(read_idx(paths[0]).copy())
    labels = torch.from_numpy(read_idx(paths[1]).astype(np.int64))
    return images, labels


@functools.lru_cache(maxsize=4)
def fashion_mnist_tensors(train: bool = True, limit: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Fashion-MNIST ready to train on: float32 ``(N, 1, 28, 28)`` in [0, 1], int64 labels.

    ``limit`` keeps the first ``limit`` examples (a fixed subset for budgets).
    """
    images, labels = read_fashion_mnist(train)
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    return images.unsqueeze(1).float().div_(255), labels.clone()


def read_time_machine_text() -> str:
    """The raw text of *The Time Machine* (the book's ``timemachine.txt``)."""
    return data_file("timemachine.txt").read_text(encoding="utf-8")


def kaggle_house_paths() -> tuple[Path, Path]:
    """Paths of the Kaggle house-price training and test CSVs (§4.10)."""
    return data_file("kaggle_house_pred_train.csv"), data_file("kaggle_house_pred_test.csv")


HOUSE_TINY = "NumRooms,Alley,Price\nNA,Pave,127500\n2,NA,106000\n4,NA,178100\nNA,NA,140000\n"


def write_house_tiny(path: str | os.PathLike) -> Path:
    """Write the book's ``house_tiny.csv`` (§2.2.1) to ``path`` and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HOUSE_TINY)
    return path
