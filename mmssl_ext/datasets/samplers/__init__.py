from .cluster_balanced_sampler import ClusterBalancedSampler  # noqa: F401
