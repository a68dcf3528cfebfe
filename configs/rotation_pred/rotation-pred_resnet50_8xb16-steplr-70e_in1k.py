# Rotation prediction (https://arxiv.org/abs/1803.07728), the MMSelfSup
# recipe: ResNet-50, 8 GPUs x 16 images (x 4 rotations), SGD lr 0.2,
# steps at 30/50 of 70 epochs.
_base_ = [
    '../_base_/models/rotation-pred.py',
    '../_base_/datasets/imagenet_rotation-pred.py',
    '../_base_/schedules/sgd_steplr-70e_in1k.py',
    '../_base_/default_runtime.py',
]

model = dict(data_preprocessor=_base_.data_preprocessor)

auto_scale_lr = dict(base_batch_size=128)
