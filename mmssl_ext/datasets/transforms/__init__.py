from .pack_selfsup_inputs import PackSelfSupInputs  # noqa: F401
from .relative_loc_patches import RelativeLocPatches  # noqa: F401
from .rotation_views import RotationViews  # noqa: F401
from .random_rotation import RandomRotation  # noqa: F401
