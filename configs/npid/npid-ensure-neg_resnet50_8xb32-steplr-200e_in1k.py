# NPID with `ensure_neg`: any negative equal to the sample itself is redrawn.
_base_ = './npid_resnet50_8xb32-steplr-200e_in1k.py'

model = dict(ensure_neg=True)
