from .cluster_head import ClusterHead  # noqa: F401
