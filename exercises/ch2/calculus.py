"""§2.4 微积分 (d2l.ai §2.4 Calculus)."""


def numerical_lim(f, x, h):
    """The difference quotient ``(f(x + h) - f(x)) / h`` (§2.4.1), the book's ``numerical_lim``.

    A forward difference, exactly as the book defines it (not a central one), returned as
    it is (not rounded for printing). ``x`` may be a number or a tensor (then ``f`` acts
    elementwise and the result is the tensor of the elementwise quotients).
    """
    raise NotImplementedError("numerical_lim (§2.4.1)")
