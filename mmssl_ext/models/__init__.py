# Each subpackage imports its modules, which registers them into
# mmpretrain.registry.MODELS.
from . import (algorithms, backbones, data_preprocessors, heads,  # noqa: F401
               memories, necks)
