# Keys the migration cannot translate (for the --check test).
_base_ = './mocov2_resnet18-tiny_1xb8-coslr-1e_tiny.py'
lr_config = dict(policy='CosineRestart', periods=[1], restart_weights=[1])
workflow = [('train', 1), ('val', 1)]
data = dict(train=dict(pipelines=[[
    dict(type='RandomResizedCrop', size=32),
    dict(type='MyOwnTransform', strength=3),
]]))
my_custom_setting = dict(a=1)
