# ImageNet for relative patch location (MMSelfSup 0.x recipe): short side
# resized to 292 px, a random 255 px square cut into 3x3 cells of 85 px with
# a jittered 64 px patch in each; (centre, neighbour) pairs with their
# 8-way position label; 64 images per GPU.
_base_ = './imagenet.py'

data_preprocessor = dict(type='RelativeLocDataPreprocessor')
train_pipeline = [
    dict(type='LoadImageFromFile'),
    # MMSelfSup 0.x: torchvision Resize(292), the short side (1.x squashes
    # to 292 x 292)
    dict(type='ResizeEdge', scale=292, edge='short', backend='pillow'),
    dict(type='RandomGrayscale', prob=0.66, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='RelativeLocPatches', patch_size=64, crop_size=255),
    dict(type='PackInputs', algorithm_keys=['patch_label']),
]
train_dataloader = dict(batch_size=64, dataset=dict(pipeline=train_pipeline))
