# ImageNet kNN splits at MMSelfSup's path (the default --dataset-config of
# its kNN scripts; ours use it when the evaluated config has no
# knn_train_dataloader / knn_test_dataloader):
#   bash benchmarks/classification/knn/dist_test_knn_pretrain.sh \
#       configs/npid/npid_resnet50_8xb32-steplr-200e_in1k.py PRETRAIN \
#       --dataset-config configs/benchmarks/classification/knn_imagenet.py
_base_ = ['../../_base_/datasets/imagenet_knn.py']
