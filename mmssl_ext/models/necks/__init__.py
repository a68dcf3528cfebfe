from .odc_neck import ODCNeck  # noqa: F401
