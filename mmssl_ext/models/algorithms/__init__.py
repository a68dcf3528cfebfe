from .deepcluster import DeepCluster  # noqa: F401
from .npid import NPID  # noqa: F401
from .odc import ODC  # noqa: F401
from .relative_loc import RelativeLoc  # noqa: F401
from .rotation_pred import RotationPred  # noqa: F401
