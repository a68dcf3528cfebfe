# NPID (https://arxiv.org/abs/1805.01978), the MMSelfSup recipe:
# ResNet-50, 8 GPUs x 32, SGD lr 0.03, steps at 120/160 of 200 epochs,
# 65,536 negatives per sample, T=0.07, bank momentum 0.5.
_base_ = [
    '../_base_/models/npid.py',
    '../_base_/datasets/imagenet_npid.py',
    '../_base_/schedules/sgd_steplr-200e_in1k.py',
    '../_base_/default_runtime.py',
]

num_train_samples = 1281167  # memory bank rows = len(train dataset)
model = dict(
    data_preprocessor=_base_.data_preprocessor,
    memory_bank=dict(length=num_train_samples))

# stops before training if memory_bank.length != len(train dataset)
custom_hooks = [dict(type='MemoryBankCheckHook')]

# NOTE: `auto_scale_lr.base_batch_size` = 8 GPUs x 32.
auto_scale_lr = dict(base_batch_size=256)
