"""VOC07 linear-SVM and low-shot SVM evaluation (FAIR self-supervision
benchmark protocol, `Goyal et al. 2019 <https://arxiv.org/abs/1905.01235>`_,
as MMSelfSup ran it with FAIR's scripts).

Label convention (per image and class), as in that benchmark:
``1`` = present, ``0`` = absent, ``-1`` = difficult (only difficult
instances). Training: features are L2-normalised; one ``LinearSVC`` per
class (squared hinge, L2, ``class_weight={1: 2, -1: 1}``) with difficult
images counted as negatives; the cost is chosen per class by 3-fold
cross-validation (sklearn ``average_precision`` scoring) over
:data:`DEFAULT_COSTS`. Testing: difficult images are excluded and AP is the
area under the precision envelope (:func:`voc_ap`).

Low-shot (FAIR's low-shot sample files): for each k and each of 5
independent samplings, every class c is trained on k sampled positives and
``(C - 1) * k`` sampled negatives (images with label 0 for c); every other
image, difficult ones included, is ignored for that class (label ``-1`` in a
sample matrix, :func:`low_shot_targets`). Samples made by FAIR's/MMSelfSup's
``create_voc_low_shot_challenge_samples.py`` are read with
:func:`read_low_shot_samples`. An SVM is trained for every cost; the reported
cost per k is the one with the best test mAP averaged over the samplings (the
benchmark has no validation split for low-shot).
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .clustering import l2_normalize

#: The cost grid of MMSelfSup's eval_svm_full.sh / eval_svm_lowshot.sh:
#: ``costs="1.0,10.0,100.0"`` extended by FAIR's ``parse_cost_list`` with
#: ``0.5 ** n`` for n = 4 ... 19 (19 costs, in this order: ties in the
#: cross-validation AP go to the earlier cost, as with ``np.argmax`` there).
DEFAULT_COSTS = (1.0, 10.0, 100.0) + tuple(0.5**n for n in range(4, 20))
#: The benchmark's low-shot k values and number of samplings.
LOW_SHOT_KS = (1, 2, 4, 8, 16, 32, 64, 96)
LOW_SHOT_SAMPLES = 5

__all__ = ['DEFAULT_COSTS', 'LOW_SHOT_KS', 'LOW_SHOT_SAMPLES', 'l2_normalize',
           'voc_ap', 'precision_recall', 'train_svms_crossval',
           'svm_decision', 'evaluate_svms', 'low_shot_targets',
           'low_shot_file_name', 'read_low_shot_samples',
           'check_low_shot_targets', 'low_shot_svm']


def _sklearn():
    try:
        from sklearn.model_selection import cross_val_score
        from sklearn.svm import LinearSVC
    except ImportError as exc:
        raise ImportError(
            'The VOC07 SVM benchmark needs scikit-learn: '
            '`pip install scikit-learn`.') from exc
    return LinearSVC, cross_val_score


def svm_normalize(features: np.ndarray) -> np.ndarray:
    """The protocol's row-wise ``x / (||x|| + 1e-5)`` in float64 (the
    reference casts the features to float64 before normalising)."""
    return l2_normalize(features, eps=1e-5, dtype=np.float64)


def precision_recall(labels: np.ndarray, scores: np.ndarray
                     ) -> Tuple[np.ndarray, np.ndarray]:
    """Precision and recall after each detection, by decreasing score.

    Args:
        labels (np.ndarray): ``(N,)`` with ``1`` positive, ``0`` negative,
            ``-1`` ignored (difficult).
        scores (np.ndarray): ``(N,)``.

    Returns:
        tuple: precision ``(M,)``, recall ``(M,)`` over the M non-ignored.
    """
    labels = np.asarray(labels)
    scores = np.asarray(scores, dtype=np.float64)
    keep = labels != -1
    labels, scores = labels[keep], scores[keep]
    order = np.argsort(-scores, kind='stable')
    hits = (labels[order] == 1).astype(np.float64)
    tp = np.cumsum(hits)
    fp = np.cumsum(1.0 - hits)
    num_pos = hits.sum()
    precision = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    recall = tp / num_pos if num_pos > 0 else np.zeros_like(tp)
    return precision, recall


def voc_ap(labels: np.ndarray, scores: np.ndarray) -> float:
    """Average precision as the benchmark computes it.

    Precision is replaced by its envelope (the maximum precision at any
    recall >= r) and integrated over recall (no 11-point sampling).
    Difficult images (label ``-1``) are excluded.

    Args:
        labels (np.ndarray): ``(N,)`` in {1, 0, -1}.
        scores (np.ndarray): ``(N,)`` classifier scores.

    Returns:
        float: AP in [0, 1]; 0 if the class has no positive.
    """
    precision, recall = precision_recall(labels, scores)
    if recall.size == 0 or recall[-1] == 0:
        return 0.0
    mrec = np.concatenate([[0.0], recall, [1.0]])
    mpre = np.concatenate([[0.0], precision, [0.0]])
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]  # precision envelope
    steps = np.nonzero(mrec[1:] != mrec[:-1])[0] + 1
    return float(np.sum((mrec[steps] - mrec[steps - 1]) * mpre[steps]))


def _check(features: np.ndarray, targets: np.ndarray) -> None:
    if features.ndim != 2 or targets.ndim != 2 or len(features) != len(
            targets):
        raise ValueError(
            f'features must be (N, D) and targets (N, C) with the same N, '
            f'got {features.shape} and {targets.shape}.')
    bad = np.setdiff1d(np.unique(targets), [-1, 0, 1])
    if bad.size:
        raise ValueError(f'targets may hold 1 (present), 0 (absent) and -1 '
                         f'(difficult) only, found {bad.tolist()}.')


def _svm(cost: float):
    LinearSVC, _ = _sklearn()
    return LinearSVC(C=cost, class_weight={1: 2, -1: 1}, intercept_scaling=1.0,
                     penalty='l2', loss='squared_hinge', tol=1e-4, dual=True,
                     max_iter=2000)


def _train_labels(column: np.ndarray) -> np.ndarray:
    """{1, 0, -1} -> {1, -1}: difficult images are negatives in training."""
    return np.where(column == 1, 1, -1).astype(np.int32)


def _fit_class(features, column, costs, cv):
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    _, cross_val_score = _sklearn()
    labels = _train_labels(column)
    if (labels == 1).sum() < cv or (labels == -1).sum() < cv:
        raise ValueError(
            f'A class has {(labels == 1).sum()} positives and '
            f'{(labels == -1).sum()} negatives; {cv}-fold cross-validation '
            f'needs at least {cv} of each. Use more training images.')
    cv_aps = []
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConvergenceWarning)
        for cost in costs:
            cv_aps.append(cross_val_score(
                _svm(cost), features, labels, cv=cv,
                scoring='average_precision').mean())
        best = int(np.argmax(cv_aps))
        clf = _svm(costs[best]).fit(features, labels)
    return np.asarray(cv_aps), best, clf.coef_.ravel().copy(), float(
        clf.intercept_[0])


def train_svms_crossval(features: np.ndarray,
                        targets: np.ndarray,
                        costs: Sequence[float] = DEFAULT_COSTS,
                        cv: int = 3,
                        n_jobs: int = 1,
                        normalize: bool = True) -> Dict[str, np.ndarray]:
    """Train one linear SVM per class, cost chosen by cross-validation.

    Args:
        features (np.ndarray): ``(N, D)`` training features.
        targets (np.ndarray): ``(N, C)`` in {1, 0, -1}.
        costs (Sequence[float]): candidate C values.
            Defaults to :data:`DEFAULT_COSTS`.
        cv (int): folds. Defaults to 3.
        n_jobs (int): classes trained in parallel (joblib). Defaults to 1.
        normalize (bool): L2-normalise the features. Defaults to True.

    Returns:
        dict: ``weight`` ``(C, D)``, ``bias`` ``(C,)``, ``cost`` ``(C,)``
        (chosen), ``cv_ap`` ``(C, len(costs))``.
    """
    from joblib import Parallel, delayed
    features = svm_normalize(features) if normalize else np.asarray(
        features, np.float64)
    targets = np.asarray(targets)
    _check(features, targets)
    costs = [float(c) for c in costs]
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fit_class)(features, targets[:, c], costs, cv)
        for c in range(targets.shape[1]))
    return dict(
        weight=np.stack([r[2] for r in results]),
        bias=np.asarray([r[3] for r in results], np.float64),
        cost=np.asarray([costs[r[1]] for r in results]),
        cv_ap=np.stack([r[0] for r in results]))


def svm_decision(model: Dict[str, np.ndarray], features: np.ndarray,
                 normalize: bool = True) -> np.ndarray:
    """``(N, D)`` -> ``(N, C)`` SVM scores."""
    features = svm_normalize(features) if normalize else features
    return features @ model['weight'].T + model['bias']


def evaluate_svms(model: Dict[str, np.ndarray], features: np.ndarray,
              targets: np.ndarray, normalize: bool = True
              ) -> Tuple[np.ndarray, float]:
    """Per-class AP (difficult excluded) and mAP, both in percent."""
    targets = np.asarray(targets)
    scores = svm_decision(model, features, normalize)
    _check(scores, targets)
    aps = np.array([voc_ap(targets[:, c], scores[:, c])
                    for c in range(targets.shape[1])]) * 100
    return aps, float(aps.mean())


def low_shot_targets(targets: np.ndarray, k: int, sample: int,
                     seed: int = 0) -> np.ndarray:
    """One low-shot sample matrix: k positives and (C-1)*k negatives per class.

    As FAIR's ``create_voc_low_shot_challenge_samples.py``: per class c, k
    images are drawn without replacement from those with label 1 for c and
    ``(C - 1) * k`` from those with label 0 for c; all other entries are
    ``-1`` (ignored when training class c). Difficult images (label -1) are
    never drawn. The reference draws with Python's unseeded ``random``; here
    the draw is seeded by ``(seed, sample, k, c)`` so a run can be repeated
    (read the reference's own files with :func:`read_low_shot_samples` to
    train on exactly its samples).

    Args:
        targets (np.ndarray): ``(N, C)`` full training labels {1, 0, -1}.
        k (int): positives per class.
        sample (int): index of the independent sampling (0-based).
        seed (int): base seed. Defaults to 0.

    Returns:
        np.ndarray: ``(N, C)`` int32 in {1, 0, -1}.
    """
    targets = np.asarray(targets)
    num_classes = targets.shape[1]
    out = np.full(targets.shape, -1, dtype=np.int32)
    for c in range(num_classes):
        rng = np.random.default_rng([seed, sample, k, c])
        for symbol, num in ((1, k), (0, (num_classes - 1) * k)):
            pool = np.nonzero(targets[:, c] == symbol)[0]
            if len(pool) < num:
                kind = 'positives' if symbol else 'negatives'
                raise ValueError(
                    f'Class {c} has {len(pool)} {kind}, fewer than the '
                    f'{num} that low-shot k={k} samples: drop k={k} from '
                    f'the low-shot list or use more training images.')
            out[rng.choice(pool, size=num, replace=False), c] = symbol
    return out


def low_shot_file_name(k: int, sample: int,
                       prefix: str = 'train_targets') -> str:
    """Name of a reference sample file: ``{prefix}_sample{sample+1}_k{k}.npy``
    (``sample`` 0-based, the file names count from 1)."""
    return f'{prefix}_sample{sample + 1}_k{k}.npy'


def check_low_shot_targets(sample: np.ndarray, targets: np.ndarray,
                           name: str = 'low-shot sample') -> np.ndarray:
    """Check a sample matrix against the full training labels.

    Every sampled positive (1) must be a positive and every sampled negative
    (0) a negative of the full labels: this catches a file made for another
    image list or another row order.

    Returns:
        np.ndarray: the sample as ``(N, C)`` int32.
    """
    sample = np.asarray(sample)
    targets = np.asarray(targets)
    if sample.shape != targets.shape:
        raise ValueError(
            f'{name} has shape {sample.shape} but the training labels are '
            f'{targets.shape}: the file was made for another training list '
            f'(rows = training images in list order, columns = classes).')
    bad = np.setdiff1d(np.unique(sample), [-1, 0, 1])
    if bad.size:
        raise ValueError(f'{name} may hold 1 (sampled positive), 0 (sampled '
                         f'negative) and -1 (ignored) only, found '
                         f'{bad.tolist()}.')
    wrong = ((sample == 1) & (targets != 1)) | ((sample == 0) & (targets != 0))
    if wrong.any():
        row, col = np.argwhere(wrong)[0]
        raise ValueError(
            f'{name}: {int(wrong.sum())} entries disagree with the training '
            f'labels (first: image {row}, class {col}: sample '
            f'{sample[row, col]}, label {targets[row, col]}). The file was '
            f'made for another image list or row order; rows must follow the '
            f'training list (VOC07: ImageSets/Main/trainval.txt).')
    return sample.astype(np.int32)


def read_low_shot_samples(folder: str, targets: np.ndarray,
                          ks: Sequence[int] = LOW_SHOT_KS,
                          num_samples: int = LOW_SHOT_SAMPLES,
                          prefix: str = 'train_targets'
                          ) -> Dict[Tuple[int, int], np.ndarray]:
    """Read reference low-shot sample files (MMSelfSup's
    ``data/VOCdevkit/VOC2007/SVMLabels/low_shot/labels/``).

    Each ``{prefix}_sample{s}_k{k}.npy`` (s = 1..num_samples) is an
    ``(N, C)`` int array: 1 sampled positive, 0 sampled negative, -1
    ignored; rows are the training images in list order (for VOC07, the
    sorted image ids = ``trainval.txt``), columns the classes.

    Args:
        folder (str): the folder holding the ``.npy`` files.
        targets (np.ndarray): ``(N, C)`` full training labels, to check the
            files against (:func:`check_low_shot_targets`).
        ks (Sequence[int]): low-shot k values to read.
        num_samples (int): samplings per k.
        prefix (str): file name prefix. Defaults to ``'train_targets'``.

    Returns:
        dict: ``{(k, sample): (N, C) int32}`` with 0-based ``sample``.
    """
    import os.path as osp
    out = {}
    for k in ks:
        for s in range(num_samples):
            path = osp.join(folder, low_shot_file_name(k, s, prefix))
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f'Low-shot sample file {path} does not exist: pass the '
                    f'folder made by create_voc_low_shot_challenge_samples.py '
                    f'(SVMLabels/low_shot/labels) or drop --low-shot-dir to '
                    f'draw the samples here.')
            out[(int(k), s)] = check_low_shot_targets(
                np.load(path, encoding='latin1'), targets, path)
    return out


def _fit_low_shot(features, column, cost):
    """Train one class on its sampled images only (label -1 = ignored)."""
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    keep = column != -1
    labels = np.where(column[keep] == 1, 1, -1).astype(np.int32)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ConvergenceWarning)
        clf = _svm(cost).fit(features[keep], labels)
    return clf.coef_.ravel().copy(), float(clf.intercept_[0])


def low_shot_svm(train_features: np.ndarray,
                 train_targets: np.ndarray,
                 test_features: np.ndarray,
                 test_targets: np.ndarray,
                 ks: Sequence[int] = LOW_SHOT_KS,
                 num_samples: int = LOW_SHOT_SAMPLES,
                 costs: Sequence[float] = DEFAULT_COSTS,
                 seed: int = 0,
                 n_jobs: int = 1,
                 samples: Optional[Dict[Tuple[int, int], np.ndarray]] = None
                 ) -> List[dict]:
    """Low-shot SVM: mAP per k, cost chosen by mean test mAP over samplings.

    Args:
        train_features, train_targets: ``(N, D)`` and ``(N, C)`` {1, 0, -1}.
        test_features, test_targets: ``(M, D)`` and ``(M, C)``.
        ks (Sequence[int]): k values. Defaults to :data:`LOW_SHOT_KS`.
        num_samples (int): samplings per k. Defaults to 5.
        costs (Sequence[float]): Defaults to :data:`DEFAULT_COSTS`.
        seed (int): seed of the samplings drawn here. Defaults to 0.
        n_jobs (int): classes trained in parallel. Defaults to 1.
        samples (dict, optional): ``{(k, sample): (N, C)}`` sample matrices
            (e.g. from :func:`read_low_shot_samples`); ``None`` draws them
            with :func:`low_shot_targets`.

    Returns:
        list[dict]: per k: ``k``, ``cost``, ``mean``, ``std``, ``min``,
        ``max`` (mAP % over the samplings at the chosen cost) and ``map``
        ``(num_samples, len(costs))``.
    """
    from joblib import Parallel, delayed
    train_features = svm_normalize(train_features)
    test_features = svm_normalize(test_features)
    train_targets = np.asarray(train_targets)
    _check(train_features, train_targets)
    costs = [float(c) for c in costs]
    num_classes = train_targets.shape[1]
    report = []
    for k in ks:
        maps = np.zeros((num_samples, len(costs)))
        for s in range(num_samples):
            if samples is None:
                labels = low_shot_targets(train_targets, k, s, seed)
            else:
                labels = check_low_shot_targets(
                    samples[(int(k), s)], train_targets,
                    f'low-shot sample k={k} #{s + 1}')
            for j, cost in enumerate(costs):
                fits = Parallel(n_jobs=n_jobs)(
                    delayed(_fit_low_shot)(train_features, labels[:, c], cost)
                    for c in range(num_classes))
                model = dict(weight=np.stack([f[0] for f in fits]),
                             bias=np.asarray([f[1] for f in fits]))
                maps[s, j] = evaluate_svms(model, test_features, test_targets,
                                           normalize=False)[1]
        best = int(np.argmax(maps.mean(0)))
        col = maps[:, best]
        report.append(dict(k=int(k), cost=costs[best], mean=float(col.mean()),
                           std=float(col.std()), min=float(col.min()),
                           max=float(col.max()), map=maps))
    return report
