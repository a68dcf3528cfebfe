from .knn import knn_accuracy, knn_classify, knn_topk  # noqa: F401
