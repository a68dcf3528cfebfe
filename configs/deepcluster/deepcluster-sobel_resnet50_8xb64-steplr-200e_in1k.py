# DeepCluster on Sobel input, MMSelfSup's recipe of the same name (its
# published checkpoint): the RGB recipe with the grey image's two Sobel
# gradients as input (SobelDataPreprocessor; ResNet-50 with 2 input
# channels, MMSelfSup's Sobel layer + ResNet).
_base_ = './deepcluster_resnet50_8xb64-steplr-200e_in1k.py'

model = dict(
    data_preprocessor=dict(type='SobelDataPreprocessor'),
    backbone=dict(in_channels=2))
