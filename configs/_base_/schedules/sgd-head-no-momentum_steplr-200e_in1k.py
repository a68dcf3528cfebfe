# SGD lr 0.1 (8 GPUs x 64), weight decay 1e-5; the head, re-initialised at
# every clustering, trains without momentum (custom_keys matches substrings:
# 'head.' is the head only). A step beyond the last epoch: constant lr, as
# MMSelfSup's DeepCluster; 200 epochs.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-5),
    paramwise_cfg=dict(custom_keys={'head.': dict(momentum=0.)}))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[400], gamma=0.1)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=200)
