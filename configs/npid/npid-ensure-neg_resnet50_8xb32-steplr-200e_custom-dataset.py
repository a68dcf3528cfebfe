# NPID with `ensure_neg` on your own images (see the custom-dataset NPID
# config for the folder layout and `num_train_samples`).
_base_ = './npid_resnet50_8xb32-steplr-200e_custom-dataset.py'

model = dict(ensure_neg=True)
