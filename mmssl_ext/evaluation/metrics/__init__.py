from .multi_head_accuracy import MultiHeadAccuracy  # noqa: F401
