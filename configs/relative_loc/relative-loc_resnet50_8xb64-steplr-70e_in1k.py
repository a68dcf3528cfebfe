# Relative patch location (https://arxiv.org/abs/1505.05192), the MMSelfSup
# recipe (0.x): short side resized to 292 px, a random 255 px square cut into
# 3x3 cells of 85 px with a jittered 64 px patch in each; ResNet-50 on the
# patches, pair fusion fc 4096, 8-way head; 8 GPUs x 64, SGD lr 0.2, steps
# at 30/50 of 70 epochs.
_base_ = [
    '../_base_/models/relative-loc.py',
    '../_base_/datasets/imagenet_relative-loc.py',
    '../_base_/schedules/sgd_steplr-70e_in1k.py',
    '../_base_/default_runtime.py',
]

model = dict(data_preprocessor=_base_.data_preprocessor)

# neck and head decay 5x as much as the backbone
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={
        'neck': dict(decay_mult=5.0),
        'head': dict(decay_mult=5.0)
    }))

auto_scale_lr = dict(base_batch_size=512)
