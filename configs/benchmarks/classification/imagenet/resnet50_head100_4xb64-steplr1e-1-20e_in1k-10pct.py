# Semi-supervised ImageNet 10 %: lr 0.1, head lr x100.
_base_ = '../_base_/semi_resnet50_4xb64-steplr-20e_in1k.py'
train_dataloader = dict(dataset=dict(ann_file='meta/train_10pct.txt'))
optim_wrapper = dict(
    optimizer=dict(lr=0.1, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=100)}))
