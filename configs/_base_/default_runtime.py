# The runtime of every mmssl_ext pretraining config: mmpretrain's, with the
# plugin loaded and MMSelfSup's checkpoint interval (every 10 epochs, 3 kept).
_base_ = 'mmpretrain::_base_/default_runtime.py'
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)

default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3))
