"""§2.6 概率 (d2l.ai §2.6 Probability and Statistics)."""
import torch
from torch.distributions import multinomial


def die_roll_estimates(probs, num_groups, group_size):
    """Running estimates of a die's probabilities (§2.6.1).

    Rolls a die with face probabilities ``probs`` (float tensor ``(k,)`` summing to 1)
    ``group_size`` times in each of ``num_groups`` groups, drawing from torch's global
    random generator (``torch.manual_seed`` makes it repeatable). Row ``i`` of the result,
    of shape ``(num_groups, k)`` and ``probs``'s dtype (float32 for the book's
    ``fair_probs``), is the relative frequency of each face over
    groups ``0..i`` together: cumulative counts divided by the cumulative number of rolls,
    so every row sums to 1 and the last row approaches ``probs``.
    """
    counts = multinomial.Multinomial(group_size, probs).sample((num_groups,))
    cum_counts = counts.cumsum(dim=0)
    return cum_counts / cum_counts.sum(dim=1, keepdim=True)
