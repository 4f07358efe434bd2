"""Similarity (``autograder/grading/similarity.py``): planted copies among genuinely independent solutions.

Three students (ana, ben, chen) wrote chapter 3's linear regression and softmax regression from scratch,
each in their own way. The planted copies: ``ana_copy`` is ana's code with every name changed, the
functions in another order and other comments; ``ben_part`` copied ben's softmax module only (renamed)
and left linear regression as the stub. ``book1`` and ``book2`` both typed in the book's code (public:
boilerplate), ``sol1`` and ``sol2`` both submitted the reference solutions (leaked: not boilerplate).
The copies are found, the independent ones and the book's are not; scores never change (the gradebook
test in test_scale.py grades a planted pair).
"""
import itertools
import textwrap

import pytest

from autograder.grading.similarity import book_sources, find_similar, similar_by_student
from autograder.harness.loader import REPO_ROOT

ANA_LINEAR = '''
def synthetic_data(w, b, num_examples):
    # features first, then the noisy targets
    features = torch.normal(0, 1, (num_examples, len(w)))
    targets = torch.matmul(features, w) + b
    targets += torch.normal(0, 0.01, targets.shape)
    return features, targets.reshape((-1, 1))


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)
    for start in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[start: min(start + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    difference = y_hat - y.reshape(y_hat.shape)
    return difference * difference / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param.sub_(lr * param.grad / batch_size)
            param.grad.zero_()
'''

ANA_SOFTMAX = '''
def softmax(X):
    shifted = X - torch.max(X, dim=1, keepdim=True)[0]
    exps = torch.exp(shifted)
    totals = torch.sum(exps, dim=1, keepdim=True)
    return exps / totals


def net(X, W, b):
    flat = X.reshape((-1, W.shape[0]))
    return softmax(torch.matmul(flat, W) + b)


def cross_entropy(y_hat, y):
    picked = y_hat.gather(1, y.reshape(-1, 1)).reshape(-1)
    return -torch.log(picked)


def accuracy(y_hat, y):
    if y_hat.ndim > 1 and y_hat.shape[1] > 1:
        predictions = torch.argmax(y_hat, dim=1)
    else:
        predictions = y_hat
    hits = predictions.to(y.dtype) == y
    return float(hits.to(y.dtype).sum())


class Accumulator:
    def __init__(self, n):
        self.sums = [0.0 for _ in range(n)]

    def add(self, *args):
        for position, value in enumerate(args):
            self.sums[position] += float(value)

    def reset(self):
        for position in range(len(self.sums)):
            self.sums[position] = 0.0

    def __getitem__(self, idx):
        return self.sums[idx]


def evaluate_accuracy(net, data_iter):
    if isinstance(net, torch.nn.Module):
        net.eval()
    correct, seen = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            correct += accuracy(net(X), y)
            seen += y.numel()
    return correct / seen


def train_epoch_ch3(net, train_iter, loss, updater):
    if isinstance(net, torch.nn.Module):
        net.train()
    loss_sum, hit_sum, count = 0.0, 0.0, 0
    for X, y in train_iter:
        outputs = net(X)
        losses = loss(outputs, y)
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            losses.mean().backward()
            updater.step()
        else:
            losses.sum().backward()
            updater(X.shape[0])
        loss_sum += float(losses.sum())
        hit_sum += accuracy(outputs, y)
        count += y.numel()
    return loss_sum / count, hit_sum / count
'''

BEN_LINEAR = '''
def synthetic_data(w, b, num_examples):
    n_features = w.numel()
    X = torch.randn(num_examples, n_features)
    noise = 0.01 * torch.randn(num_examples)
    y = (X * w).sum(axis=1) + b + noise
    return X, y.unsqueeze(1)


def data_iter(batch_size, features, labels):
    order = torch.randperm(features.shape[0])
    while len(order):
        take, order = order[:batch_size], order[batch_size:]
        yield features.index_select(0, take), labels.index_select(0, take)


def linreg(X, w, b):
    return X.mm(w).add(b)


def squared_loss(y_hat, y):
    return 0.5 * (y_hat - y.view_as(y_hat)).pow(2)


def sgd(params, lr, batch_size):
    step = lr / batch_size
    for p in params:
        p.data.add_(p.grad.data, alpha=-step)
        p.grad.data.fill_(0)
'''

BEN_SOFTMAX = '''
def softmax(X):
    m = X.amax(1, keepdim=True)
    e = (X - m).exp()
    return e.div(e.sum(1, keepdim=True))


def net(X, W, b):
    return softmax(X.view(X.shape[0], -1).mm(W).add(b))


def cross_entropy(y_hat, y):
    rows = torch.arange(y_hat.shape[0])
    return y_hat[rows, y].log().neg()


def accuracy(y_hat, y):
    guess = y_hat.argmax(1) if (y_hat.dim() == 2 and y_hat.size(1) > 1) else y_hat
    return float(torch.eq(guess.type(y.dtype), y).sum().item())


class Accumulator:
    def __init__(self, n):
        self.n = n
        self.values = n * [0.0]

    def add(self, *args):
        self.values = list(map(lambda pair: pair[0] + float(pair[1]), zip(self.values, args)))

    def reset(self):
        self.values = self.n * [0.0]

    def __getitem__(self, idx):
        return self.values[idx]


def evaluate_accuracy(net, data_iter):
    if isinstance(net, nn.Module):
        net.train(False)
    totals = Accumulator(2)
    with torch.inference_mode():
        for batch, target in data_iter:
            totals.add(accuracy(net(batch), target), target.shape[0])
    return totals[0] / totals[1]


def train_epoch_ch3(net, train_iter, loss, updater):
    if isinstance(net, nn.Module):
        net.train(True)
    stats = Accumulator(3)
    uses_optimizer = isinstance(updater, torch.optim.Optimizer)
    for batch, target in train_iter:
        prediction = net(batch)
        per_example = loss(prediction, target)
        if uses_optimizer:
            updater.zero_grad()
        (per_example.mean() if uses_optimizer else per_example.sum()).backward()
        updater.step() if uses_optimizer else updater(batch.shape[0])
        stats.add(per_example.detach().sum(), accuracy(prediction, target), target.numel())
    return stats[0] / stats[2], stats[1] / stats[2]
'''

CHEN_LINEAR = '''
def synthetic_data(w, b, num_examples):
    g = torch.empty(num_examples, w.shape[0]).normal_(mean=0.0, std=1.0)
    eps = torch.empty(num_examples, 1).normal_(mean=0.0, std=0.01)
    return g, g @ w.reshape(-1, 1) + b + eps


def data_iter(batch_size, features, labels):
    perm = np.random.permutation(len(features))
    chunks = [perm[k:k + batch_size] for k in range(0, len(perm), batch_size)]
    for chunk in chunks:
        idx = torch.from_numpy(chunk)
        yield features[idx], labels[idx]


def linreg(X, w, b):
    return torch.addmm(torch.as_tensor(b, dtype=X.dtype).expand(X.shape[0], w.shape[1]), X, w)


def squared_loss(y_hat, y):
    target = torch.reshape(y, y_hat.size())
    return torch.square(torch.sub(y_hat, target)) * 0.5


def sgd(params, lr, batch_size):
    for tensor in params:
        with torch.no_grad():
            tensor.copy_(tensor - lr * tensor.grad / batch_size)
        tensor.grad = torch.zeros_like(tensor)
'''

CHEN_SOFTMAX = '''
def softmax(X):
    return torch.exp(X - torch.logsumexp(X, dim=-1, keepdim=True))


def net(X, W, b):
    logits = torch.einsum("nd,dq->nq", torch.flatten(X, start_dim=1), W) + b
    return softmax(logits)


def cross_entropy(y_hat, y):
    one_hot = torch.nn.functional.one_hot(y, y_hat.shape[-1]).to(y_hat.dtype)
    return -(one_hot * torch.log(y_hat)).sum(-1)


def accuracy(y_hat, y):
    labels = y_hat if y_hat.dim() == 1 or y_hat.shape[-1] == 1 else y_hat.max(-1).indices
    same = labels.reshape(y.shape).long() == y.long()
    return float(same.count_nonzero())


class Accumulator:
    def __init__(self, n):
        self._acc = np.zeros(n, dtype=np.float64)

    def add(self, *args):
        self._acc += np.array([float(a) for a in args])

    def reset(self):
        self._acc[:] = 0

    def __getitem__(self, idx):
        return float(self._acc[idx])


def evaluate_accuracy(net, data_iter):
    was_module = isinstance(net, torch.nn.Module)
    if was_module:
        net.eval()
    good = total = 0
    for inputs, targets in data_iter:
        with torch.no_grad():
            good += accuracy(net(inputs), targets)
        total += len(targets)
    return good / total


def train_epoch_ch3(net, train_iter, loss, updater):
    if isinstance(net, torch.nn.Module):
        net.train()
    tot_loss = tot_right = tot_n = 0.0
    for inputs, targets in train_iter:
        out = net(inputs)
        value = loss(out, targets)
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()
            torch.mean(value).backward()
            updater.step()
        else:
            torch.sum(value).backward()
            updater(len(inputs))
        tot_loss += value.sum().item()
        tot_right += accuracy(out, targets)
        tot_n += targets.numel()
    return tot_loss / tot_n, tot_right / tot_n
'''


def _rename(code: str, names: dict[str, str]) -> str:
    import re
    for old, new in names.items():
        code = re.sub(rf"\b{old}\b", new, code)
    return code


def _reorder(code: str) -> str:
    """The top-level definitions in reverse order, comments replaced."""
    blocks = [b for b in textwrap.dedent(code).strip().split("\n\n\n") if b.strip()]
    return "\n\n\n".join(b.replace("# features first, then the noisy targets", "# make the data set")
                         for b in reversed(blocks)) + "\n"


ANA_COPY_NAMES = {"features": "inputs_", "targets": "outs", "indices": "order", "batch_indices": "pick",
                  "num_examples": "num_examples", "difference": "err", "shifted": "centred", "exps": "ex",
                  "totals": "norm", "flat": "rows", "picked": "chosen", "predictions": "preds", "hits": "ok",
                  "sums": "acc", "position": "k", "value": "v", "correct": "good", "seen": "count_seen",
                  "loss_sum": "running_loss", "hit_sum": "running_hits", "count": "n_seen", "outputs": "yh",
                  "losses": "ls", "start": "s0", "param": "prm"}
BEN_PART_NAMES = {"m": "top", "e": "ex", "rows": "idx", "guess": "pred", "values": "store", "totals": "t",
                  "batch": "xb", "target": "yb", "stats": "st", "prediction": "out", "per_example": "pe",
                  "uses_optimizer": "is_opt"}


def _student(folder, linear: str | None, softmax: str | None):
    """A submission: chapter 3's stubs with the student's definitions appended (later definitions win)."""
    ch3 = folder / "ch3"
    ch3.mkdir(parents=True)
    for path in (REPO_ROOT / "exercises" / "ch3").glob("*.py"):
        (ch3 / path.name).write_text(path.read_text())
    header = "\nimport random\n\nimport numpy as np\nfrom torch import nn\n\n"
    for name, code in (("linear_regression.py", linear), ("softmax_regression.py", softmax)):
        if code:
            with open(ch3 / name, "a") as f:
                f.write(header + textwrap.dedent(code))
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("similarity")
    book = "\n\n".join(book_sources()["ch3"])
    subs = {
        "ana": _student(root / "ana", ANA_LINEAR, ANA_SOFTMAX),
        "ben": _student(root / "ben", BEN_LINEAR, BEN_SOFTMAX),
        "chen": _student(root / "chen", CHEN_LINEAR, CHEN_SOFTMAX),
        "ana_copy": _student(root / "ana_copy", _reorder(_rename(ANA_LINEAR, ANA_COPY_NAMES)),
                             _reorder(_rename(ANA_SOFTMAX, ANA_COPY_NAMES))),
        "ben_part": _student(root / "ben_part", None, _rename(BEN_SOFTMAX, BEN_PART_NAMES)),
        "book1": _student(root / "book1", None, book),
        "book2": _student(root / "book2", None, book),
        "stubs1": _student(root / "stubs1", None, None),
        "stubs2": _student(root / "stubs2", None, None),
    }
    for name in ("sol1", "sol2"):
        (root / name / "ch3").mkdir(parents=True)
        for path in (REPO_ROOT / "solutions" / "ch3").glob("*.py"):
            (root / name / "ch3" / path.name).write_text(path.read_text())
        subs[name] = root / name
    return subs


def test_the_planted_copies_are_found_and_nothing_else(corpus):
    pairs = find_similar(corpus, chapters=["ch3"])
    found = {(p["a"], p["b"]) for p in pairs}
    assert found == {("ana", "ana_copy"), ("ben", "ben_part"), ("sol1", "sol2")}, pairs
    by = {(p["a"], p["b"]): p for p in pairs}
    assert by[("ana", "ana_copy")]["score"] > 0.9
    assert {f["file"] for f in by[("ben", "ben_part")]["files"]} == {"ch3/softmax_regression.py"}


def test_independent_solutions_stay_well_below_the_threshold(corpus):
    """The margin, not just the verdict: every independent pair with enough code in common to count scores far
    under the default threshold."""
    independent = ["ana", "ben", "chen", "book1"]
    scores = {p["a"] + "/" + p["b"]: p["score"] for p in find_similar(corpus, threshold=0.0, chapters=["ch3"])}
    for a, b in itertools.combinations(sorted(independent), 2):
        assert scores.get(f"{a}/{b}", 0.0) < 0.5, (a, b, scores)


def test_book_code_and_stubs_are_boilerplate(corpus):
    """Two students who typed in the book's code share only the seams between its snippets (imports, the
    joins): well under the evidence needed, whatever the threshold."""
    subset = {k: corpus[k] for k in ("book1", "book2", "stubs1", "stubs2")}
    assert find_similar(subset, threshold=0.0, chapters=["ch3"]) == []
    seams = find_similar(subset, threshold=0.0, min_overlap=1, chapters=["ch3"])
    assert [(p["a"], p["b"]) for p in seams] in ([], [("book1", "book2")])
    assert all(p["overlap"] < 200 for p in seams), seams


def test_similar_by_student_lists_each_pair_both_ways(corpus):
    pairs = find_similar(corpus, chapters=["ch3"])
    by = similar_by_student(pairs)
    assert [o for o, _ in by["ana"]] == ["ana_copy"] and [o for o, _ in by["ana_copy"]] == ["ana"]
    assert "chen" not in by


@pytest.mark.timeout(900)
def test_the_scan_gives_the_same_scores_in_every_process(corpus):
    """copydetect's fingerprints use the salted ``hash()``: the scan fixes the salt, so grade-all, gather and a
    rerun agree to the byte whatever PYTHONHASHSEED the grader was started with."""
    import json
    import os
    import subprocess
    import sys
    code = ("import json, sys; from pathlib import Path; from autograder.grading.similarity import find_similar; "
            "print(json.dumps(find_similar({k: Path(v) for k, v in json.loads(sys.argv[1]).items()}, threshold=0.0, "
            "chapters=['ch3'])))")
    runs = {seed: subprocess.run([sys.executable, "-c", code, json.dumps({k: str(v) for k, v in corpus.items()})],
                                 capture_output=True, text=True, check=True, cwd=REPO_ROOT,
                                 env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO_ROOT)}).stdout
            for seed in ("1", "2", "random")}
    assert len(set(runs.values())) == 1 and json.loads(runs["1"])
