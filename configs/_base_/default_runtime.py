# The runtime of every mmssl_ext pretraining config: mmpretrain's, with the
# plugin loaded and two hooks that make interrupted runs safe to resume:
# * AtomicCheckpointHook (in place of CheckpointHook, same arguments): a kill
#   at any moment loses at most one checkpoint interval;
# * RNGStateHook: every rank's random generators go into the checkpoint, so
#   a resumed run draws the same augmentations as an uninterrupted one.
# `default_hooks` accepts extra keys: `rng_state` is registered like the
# others and survives configs that replace `custom_hooks`. Configs that
# inherit mmpretrain's default_runtime directly get neither hook; README.md
# ("Interrupted runs and exact resume") gives the lines to add.
_base_ = 'mmpretrain::_base_/default_runtime.py'
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)

default_hooks = dict(
    checkpoint=dict(type='AtomicCheckpointHook', interval=10,
                    max_keep_ckpts=3),
    rng_state=dict(type='RNGStateHook'))
