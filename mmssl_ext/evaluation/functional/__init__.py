from .knn import knn_accuracy, knn_classify, knn_topk  # noqa: F401
from .multilabel_annotations import read_multilabel_file, read_voc07  # noqa: F401,E501
from .svm_voc07 import evaluate_svms, low_shot_svm, train_svms_crossval, voc_ap  # noqa: F401,E501
