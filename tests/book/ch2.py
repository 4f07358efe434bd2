"""Chapter 2 as the book writes it (zh.d2l.ai §2.1-2.6): our own code, in the book's style.

The book's §2 code is mostly one-liners in a notebook; each answer wraps the book's lines in the exercise's
signature, with the book's habits (the built-ins it calls, requires_grad_ on the caller's x, torch's own errors).
"""
from book import BookAnswer

PURE = ("the book calls x.requires_grad_(True) on its own x and reads x.grad (zeroing it between examples): "
        "the caller's x is changed, which our contract does not allow")

ANSWERS = [
    BookAnswer("data_manipulation.arange_reshape", """
        def arange_reshape(n, rows):
            x = torch.arange(n)
            X = x.reshape(rows, -1)
            return X
        """, deviations="errors",
        why="the book lets reshape fail: torch's RuntimeError, not a ValueError giving n and rows"),
    BookAnswer("data_manipulation.broadcast_shape", """
        def broadcast_shape(shape_a, shape_b):
            a = torch.zeros(shape_a)
            b = torch.zeros(shape_b)
            return tuple((a + b).shape)
        """, deviations=("errors", "plain_python"),
        why="the book shows broadcasting by adding two tensors (a + b) and reading the shape: tensors where the "
            "exercise asks for plain Python (plain_python), and torch's RuntimeError for shapes that do not "
            "broadcast (errors)"),
    BookAnswer("data_preprocessing.preprocess", """
        def preprocess(data):
            inputs, outputs = data.iloc[:, 0:-1], data.iloc[:, -1]
            inputs = inputs.fillna(inputs.mean(numeric_only=True))
            inputs = pd.get_dummies(inputs, dummy_na=True)
            X, y = torch.tensor(inputs.to_numpy(dtype=float)), torch.tensor(outputs.values)
            return X, y
        """, deviations="float64",
        why="the book converts the prices as the CSV has them (torch.tensor(outputs.values)): int64, where our "
            "contract asks float64"),
    BookAnswer("data_preprocessing.drop_most_missing", """
        def drop_most_missing(data):
            nan_num = data.isna().sum(axis=0)
            nan_maxid = nan_num.idxmax()
            data = data.drop([nan_maxid], axis=1)
            return data
        """),
    BookAnswer("linear_algebra.cumsum", """
        def cumsum(A, axis):
            return A.cumsum(axis=axis)
        """, deviations="no_builtin", why="the book calls A.cumsum(axis=0), the built-in the exercise forbids"),
    BookAnswer("linear_algebra.dot", """
        def dot(x, y):
            return torch.dot(x, y)
        """, deviations="no_builtin", why="the book calls torch.dot, the built-in the exercise forbids"),
    BookAnswer("linear_algebra.mv", """
        def mv(A, x):
            return torch.mv(A, x)
        """, deviations="no_builtin", why="the book calls torch.mv, the built-in the exercise forbids"),
    BookAnswer("linear_algebra.mm", """
        def mm(A, B):
            return torch.mm(A, B)
        """, deviations="no_builtin", why="the book calls torch.mm, the built-in the exercise forbids"),
    BookAnswer("linear_algebra.l1_norm", """
        def l1_norm(u):
            return torch.abs(u).sum()
        """),
    BookAnswer("linear_algebra.l2_norm", """
        def l2_norm(u):
            return torch.norm(u)
        """, deviations="no_builtin", why="the book calls torch.norm(u), the built-in the exercise forbids"),
    BookAnswer("linear_algebra.frobenius_norm", """
        def frobenius_norm(X):
            return torch.norm(X)
        """, deviations="no_builtin", why="the book calls torch.norm(X), the built-in the exercise forbids"),
    BookAnswer("autograd.grad_scalar", """
        def grad_scalar(f, x):
            x.requires_grad_(True)
            y = f(x)
            y.backward()
            return x.grad
        """, deviations="leaves_x_untouched", why=PURE),
    BookAnswer("autograd.grad_nonscalar", """
        def grad_nonscalar(f, x):
            x.requires_grad_(True)
            y = f(x)
            y.sum().backward()  # equivalent to y.backward(torch.ones(len(x)))
            return x.grad
        """, deviations="leaves_x_untouched", why=PURE),
    BookAnswer("autograd.grad_detached", """
        def grad_detached(f, g, x):
            x.requires_grad_(True)
            y = g(x)
            u = y.detach()
            z = f(u, x)
            z.sum().backward()
            return x.grad
        """, deviations="leaves_x_untouched", why=PURE),
    BookAnswer("autograd.control_flow_f", """
        def control_flow_f(a):
            b = a * 2
            while b.norm() < 1000:
                b = b * 2
            if b.sum() > 0:
                c = b
            else:
                c = 100 * b
            return c
        """),
    BookAnswer("probability.die_roll_estimates", """
        def die_roll_estimates(probs, num_groups, group_size):
            counts = multinomial.Multinomial(group_size, probs).sample((num_groups,))
            cum_counts = counts.cumsum(dim=0)
            estimates = cum_counts / cum_counts.sum(dim=1, keepdims=True)
            return estimates
        """),
]

NO_BOOK_CODE = {}

# The book's code for these is the reference's, line for line (docstrings and comments aside): the
# references' own runs show that it gets full marks.
BOOK_IS_REFERENCE = (
    "data_manipulation.add_inplace",
    "calculus.numerical_lim",
)
