"""Per-cluster loss weights shared by the clustering algorithms
(DeepCluster, ODC)."""
from typing import Union

import numpy as np
import torch


def inverse_frequency_weights(labels: Union[np.ndarray, torch.Tensor],
                              num_classes: int,
                              power: float = 0.5) -> torch.Tensor:
    """Per-cluster loss weights ``(1 / size) ** power``, summing to 1.

    Args:
        labels: ``(N,)`` cluster indices.
        num_classes (int): number of clusters K.
        power (float): exponent (0.5: inverse square root). Defaults to 0.5.

    Returns:
        Tensor: ``(K,)`` float32 (empty clusters get a large weight, which is
        harmless as no sample is labelled with them).
    """
    labels = torch.as_tensor(np.asarray(labels) if not isinstance(
        labels, torch.Tensor) else labels).long().view(-1).cpu()
    sizes = torch.bincount(labels, minlength=num_classes).double()
    inv = (1.0 / (sizes + 1e-10))**power
    return (inv / inv.sum()).float()
