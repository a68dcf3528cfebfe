from .pack_selfsup_inputs import PackSelfSupInputs  # noqa: F401
