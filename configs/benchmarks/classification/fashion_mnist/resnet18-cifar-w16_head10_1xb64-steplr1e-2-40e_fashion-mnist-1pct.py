# The 1 % per-class subset (600 images) of the semi-supervised sibling: same
# recipe, 40 epochs (~400 iterations of 64, as many as the 10 % run),
# lr x0.2 at epochs 24 and 32 (the recipe's 12/16 of 20, scaled).
#   python tools/dataset_converters/make_semi_supervised_subset.py per-class \
#       --ann-file data/fashion_mnist/meta/train.txt --fraction 0.01 \
#       --out data/fashion_mnist/meta/train_1pct.txt
_base_ = './resnet18-cifar-w16_head10_1xb64-steplr1e-2-4e_fashion-mnist-10pct.py'
train_dataloader = dict(dataset=dict(ann_file='meta/train_1pct.txt'))
max_epochs = 40
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=True, milestones=[24, 32], gamma=0.2)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(interval=max_epochs))
