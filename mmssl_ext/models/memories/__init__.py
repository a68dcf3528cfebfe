from .odc_memory import ODCMemory  # noqa: F401
