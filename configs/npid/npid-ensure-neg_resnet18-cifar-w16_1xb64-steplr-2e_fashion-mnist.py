# CPU-sized NPID with `ensure_neg` on Fashion-MNIST (see the NPID
# Fashion-MNIST config; only `ensure_neg` differs).
_base_ = './npid_resnet18-cifar-w16_1xb64-steplr-2e_fashion-mnist.py'

model = dict(ensure_neg=True)
