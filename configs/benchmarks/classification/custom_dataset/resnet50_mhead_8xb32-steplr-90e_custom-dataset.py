# Multi-head linear evaluation on any labelled CustomDataset
# (data/custom/{train,val}/<class>/*.jpg or meta/{train,val}.txt lists).
# Set num_classes (both places) to your number of classes.
_base_ = '../imagenet/resnet50_mhead_8xb32-steplr-90e_in1k.py'
num_classes = 10
data_root = 'data/custom/'
data_preprocessor = dict(num_classes=num_classes)
model = dict(head=dict(num_classes=num_classes))
train_dataloader = dict(
    dataset=dict(_delete_=True, type='CustomDataset', data_root=data_root,
                 ann_file='meta/train.txt', pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    dataset=dict(_delete_=True, type='CustomDataset', data_root=data_root,
                 ann_file='meta/test.txt', pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
