from .deepcluster import DeepCluster  # noqa: F401
from .odc import ODC  # noqa: F401
