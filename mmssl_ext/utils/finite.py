"""The check for NaN/Inf rows (features of a diverged model), one message
for every place that refuses them."""
import torch


def check_finite_rows(rows: torch.Tensor, what: str, rows_name: str,
                      fix: str, error: type = ValueError) -> None:
    """Raise ``error`` if any row of ``rows`` holds NaN or Inf.

    Args:
        rows (Tensor): ``(N, D)`` values (features).
        what (str): who refuses them, first in the message.
        rows_name (str): what a row is, e.g. ``'samples'``.
        fix (str): the likely cause and the fix, last in the message.
        error (type): the exception class. Defaults to ValueError.
    """
    bad = ~torch.isfinite(rows).reshape(rows.shape[0], -1).all(dim=1)
    if bool(bad.any()):
        raise error(
            f'{what}: {int(bad.sum())} of {rows.shape[0]} {rows_name} hold '
            f'NaN or Inf (first: row {int(bad.nonzero()[0])}). {fix}')
