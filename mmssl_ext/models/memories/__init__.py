from .odc_memory import ODCMemory  # noqa: F401
from .simple_memory import SimpleMemory  # noqa: F401
