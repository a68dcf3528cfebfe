from .knn_eval_hook import KNNEvalHook  # noqa: F401
