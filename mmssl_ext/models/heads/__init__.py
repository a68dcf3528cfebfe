from .cluster_head import ClusterHead  # noqa: F401
from .multi_cls_head import MultiClsHead  # noqa: F401
from .pretext_cls_head import PretextClsHead  # noqa: F401
