# Avgpool linear evaluation on any labelled CustomDataset (see the mhead one).
_base_ = '../imagenet/resnet50_linear-8xb32-steplr-100e_in1k.py'
num_classes = 10
data_root = 'data/custom/'
data_preprocessor = dict(num_classes=num_classes)
model = dict(head=dict(num_classes=num_classes, topk=(1, )))
train_dataloader = dict(
    dataset=dict(_delete_=True, type='CustomDataset', data_root=data_root,
                 ann_file='meta/train.txt', pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    dataset=dict(_delete_=True, type='CustomDataset', data_root=data_root,
                 ann_file='meta/test.txt', pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator
