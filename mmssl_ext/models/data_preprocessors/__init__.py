from .relative_loc_preprocessor import RelativeLocDataPreprocessor  # noqa: F401
from .rotation_pred_preprocessor import RotationPredDataPreprocessor  # noqa: F401
from .sobel_cls_data_preprocessor import SobelClsDataPreprocessor  # noqa: F401
from .sobel_data_preprocessor import SobelDataPreprocessor  # noqa: F401
from .batched_aug_preprocessor import BatchedAugDataPreprocessor  # noqa: F401
