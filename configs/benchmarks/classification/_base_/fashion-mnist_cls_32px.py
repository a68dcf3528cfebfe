# Labelled Fashion-MNIST (tools/dataset_converters/prepare_classification_data.py)
# at 32 px, 3 identical channels, for the CPU-sized classification benchmarks.
fmnist_root = 'data/fashion_mnist/'
fmnist_preprocessor = dict(
    num_classes=10, mean=[72.9, 72.9, 72.9], std=[90.0, 90.0, 90.0],
    to_rgb=False)
fmnist_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=32, crop_ratio_range=(0.5, 1.0),
         backend='cv2'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
fmnist_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=32, backend='cv2'),
    dict(type='PackInputs'),
]
