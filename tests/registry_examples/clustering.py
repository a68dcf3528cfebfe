"""Build examples for DeepCluster / ODC modules (issue 3)."""
import os.path as osp

import numpy as np

_BACKBONE = dict(type='ResNet_CIFAR', depth=18, stem_channels=8,
                 base_channels=8)
_MEMORY = dict(type='ODCMemory', length=20, feat_dim=16, num_classes=4,
               min_cluster=2)


def _image_folder(tmp_path) -> str:
    import cv2
    root = osp.join(str(tmp_path), 'imgs')
    for i in range(3):
        folder = osp.join(root, f'c{i % 2}')
        import os
        os.makedirs(folder, exist_ok=True)
        cv2.imwrite(osp.join(folder, f'{i}.png'),
                    np.full((8, 8), 40 * i, np.uint8))
    return root


def _pseudo_label_dataset(tmp_path) -> dict:
    return dict(
        type='PseudoLabelDataset',
        dataset=dict(type='CustomDataset', data_root=_image_folder(tmp_path),
                     with_label=False,
                     pipeline=[dict(type='LoadImageFromFile'),
                               dict(type='PackInputs')]))


EXAMPLES = {
    'MODELS': {
        'DeepCluster': dict(
            type='DeepCluster',
            data_preprocessor=dict(type='SobelDataPreprocessor'),
            backbone=dict(_BACKBONE, in_channels=2),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='ClusterHead', in_channels=64, num_classes=4)),
        'ODC': dict(
            type='ODC',
            backbone=_BACKBONE,
            neck=dict(type='ODCNeck', in_channels=64, hid_channels=32,
                      out_channels=16),
            head=dict(type='ClusterHead', in_channels=16, num_classes=4),
            memory_bank=_MEMORY),
        'ODCMemory': _MEMORY,
        'ODCNeck': dict(type='ODCNeck', in_channels=64, hid_channels=32,
                        out_channels=16),
        'ClusterHead': dict(type='ClusterHead', in_channels=16,
                            num_classes=4),
        'SobelDataPreprocessor': dict(type='SobelDataPreprocessor',
                                      mean=[0, 0, 0], std=[1, 1, 1]),
    },
    'HOOKS': {
        'DeepClusterHook': dict(
            type='DeepClusterHook',
            extract_dataloader=dict(batch_size=4,
                                    dataset=dict(type='CustomDataset')),
            num_clusters=4),
        'ODCHook': dict(type='ODCHook'),
    },
    'DATASETS': {
        'PseudoLabelDataset': _pseudo_label_dataset,
    },
    'DATA_SAMPLERS': {
        'ClusterBalancedSampler': dict(type='ClusterBalancedSampler',
                                       dataset=list(range(10)), seed=0),
    },
    'TRANSFORMS': {
        'RandomRotation': dict(type='RandomRotation', degrees=2),
    },
}
