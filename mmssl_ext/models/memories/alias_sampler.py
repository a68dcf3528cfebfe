"""Alias-method sampler: O(1) draws from a fixed discrete distribution."""
from typing import Optional

import torch

__all__ = ['AliasSampler']


class AliasSampler:
    """Draw indices from a categorical distribution with Vose's alias method.

    `Walker, "An efficient method for generating discrete random variables
    with general distributions" <https://doi.org/10.1145/355744.355749>`_.
    Building the tables costs O(K); every draw costs O(1): pick a column
    uniformly, then keep it with probability ``prob[col]`` or take
    ``alias[col]``. NPID draws its negatives this way (uniform over the bank).

    Args:
        probs (torch.Tensor): Non-negative weights, shape ``(K,)``; they are
            normalised internally. A constant vector (the NPID case) takes a
            fast path that is exactly uniform.

    Example:
        >>> sampler = AliasSampler(torch.ones(10))
        >>> sampler.draw(4).shape
        torch.Size([4])
    """

    def __init__(self, probs: torch.Tensor) -> None:
        probs = torch.as_tensor(probs, dtype=torch.float64).flatten()
        if probs.numel() == 0:
            raise ValueError('AliasSampler needs at least one category; got '
                             'an empty weight vector.')
        if (probs < 0).any() or not torch.isfinite(probs).all() \
                or probs.sum() <= 0:
            raise ValueError('AliasSampler weights must be finite, '
                             'non-negative and not all zero.')
        num = probs.numel()
        self.num_categories = num
        self.uniform = bool((probs == probs[0]).all())
        if self.uniform:
            self.prob = torch.ones(num)
            self.alias = torch.arange(num)
            return
        scaled = (probs / probs.sum() * num).tolist()
        alias = list(range(num))
        small = [i for i, p in enumerate(scaled) if p < 1.0]
        large = [i for i, p in enumerate(scaled) if p >= 1.0]
        while small and large:
            s, g = small.pop(), large.pop()
            alias[s] = g
            scaled[g] -= 1.0 - scaled[s]
            (small if scaled[g] < 1.0 else large).append(g)
        for i in small + large:  # numerical leftovers are exactly 1
            scaled[i] = 1.0
        self.prob = torch.tensor(scaled, dtype=torch.float32)
        self.alias = torch.tensor(alias, dtype=torch.long)

    def to(self, device: torch.device) -> 'AliasSampler':
        """Move the tables to ``device`` (in place); returns ``self``."""
        self.prob = self.prob.to(device)
        self.alias = self.alias.to(device)
        return self

    def draw(self,
             num: int,
             generator: Optional[torch.Generator] = None) -> torch.Tensor:
        """Draw ``num`` indices, shape ``(num,)``, dtype long."""
        device = self.alias.device
        cols = torch.randint(0, self.num_categories, (num, ), device=device,
                             generator=generator)
        if self.uniform:
            return cols
        keep = torch.rand(num, device=device,
                          generator=generator) < self.prob[cols]
        return torch.where(keep, cols, self.alias[cols])
