# SwAV (https://arxiv.org/abs/2006.09882), mmpretrain's ResNet-50 multi-crop
# recipe (2x224 + 6x96 px, 8 GPUs x 32, LARS, cosine 200 epochs) with the
# queue kept in the checkpoint by mmssl_ext's SwAVQueueHook instead of
# per-rank files in work_dir (mmpretrain's SwAVHook). Resume restores each
# rank's queue; resume with the same number of processes.
_base_ = ('mmpretrain::swav/'
          'swav_resnet50_8xb32-mcrop-coslr-200e_in1k-224px-96px.py')
custom_imports = dict(imports=['mmssl_ext'], allow_failed_imports=False)
# kill-safe checkpoints and exact resume, as configs/_base_/default_runtime.py
# (which cannot be a second base next to an mmpretrain config)
default_hooks = dict(
    checkpoint=dict(type='AtomicCheckpointHook'),
    rng_state=dict(type='RNGStateHook'))

custom_hooks = [
    dict(
        type='SwAVQueueHook',
        priority='VERY_HIGH',
        batch_size={{_base_.batch_size}},
        epoch_queue_starts=15,
        crops_for_assign=[0, 1],
        feat_dim=128,
        queue_length=3840,
        # prototypes get no gradient during the first epoch (5005 iters)
        frozen_layers_cfg=dict(prototypes=5005))
]
