from .multi_pooling import MultiPooling  # noqa: F401
from .odc_neck import ODCNeck  # noqa: F401
from .relative_loc_neck import RelativeLocNeck  # noqa: F401
