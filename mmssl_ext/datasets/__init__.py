from . import samplers, transforms  # noqa: F401
from .coco_image_list import COCOImageList  # noqa: F401
from .pseudo_label_dataset import PseudoLabelDataset  # noqa: F401
