# Semi-supervised fine-tuning on a 10 % per-class subset of any labelled
# CustomDataset (meta/train_10pct.txt from
# tools/dataset_converters/make_semi_supervised_subset.py per-class
# --fraction 0.1). Same recipe and grid as the ImageNet configs.
_base_ = '../_base_/semi_resnet50_4xb64-steplr-20e_in1k.py'
num_classes = 10
data_root = 'data/custom/'
data_preprocessor = dict(num_classes=num_classes)
model = dict(head=dict(num_classes=num_classes, topk=(1, )))
train_dataloader = dict(
    dataset=dict(_delete_=True, type='CustomDataset', data_root=data_root,
                 ann_file='meta/train_10pct.txt',
                 pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    dataset=dict(_delete_=True, type='CustomDataset', data_root=data_root,
                 ann_file='meta/test.txt', pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator
optim_wrapper = dict(
    optimizer=dict(lr=0.01, weight_decay=1e-4),  # MMSelfSup's 10 % recipe
    paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=10)}))
