from .cluster_head import ClusterHead  # noqa: F401
from .pretext_cls_head import PretextClsHead  # noqa: F401
