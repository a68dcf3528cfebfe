# Large-batch linear evaluation with mmpretrain's LARS optimizer
# (SimCLR/BYOL recipe): 8 x 512, lr 1.6, cosine, no weight decay.
_base_ = './resnet50_linear-8xb32-steplr-100e_in1k.py'
train_dataloader = dict(batch_size=512)
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='LARS', lr=1.6, momentum=0.9, weight_decay=0.),
    paramwise_cfg=dict(bias_decay_mult=0.0, norm_decay_mult=0.0))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=90, by_epoch=True, begin=0, end=90)
]
train_cfg = dict(by_epoch=True, max_epochs=90, val_interval=10)
