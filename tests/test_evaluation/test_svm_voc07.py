"""VOC07 SVM protocol: AP definition, label handling, cost grid, low-shot
sampling and training sets (and the reference's sample files), readers and
bad input."""
import random

import numpy as np
import pytest

from mmssl_ext.evaluation.functional import (evaluate_svms, low_shot_svm,
                                             read_multilabel_file, read_voc07,
                                             train_svms_crossval, voc_ap)
from mmssl_ext.evaluation.functional.svm_voc07 import (
    DEFAULT_COSTS, l2_normalize, low_shot_file_name, low_shot_targets,
    read_low_shot_samples)


def reference_ap(labels, scores):
    """Independent AP with precision envelope, written as the definition:
    sum over each positive (in rank order) of the recall step 1/P times the
    maximum precision attained at that recall or later. Difficult ignored."""
    pairs = [(s, l) for s, l in zip(scores, labels) if l != -1]
    pairs.sort(key=lambda p: -p[0])
    num_pos = sum(1 for _, l in pairs if l == 1)
    if num_pos == 0:
        return 0.0
    precisions, recalls, tp = [], [], 0
    for i, (_, l) in enumerate(pairs, 1):
        tp += l == 1
        precisions.append(tp / i)
        recalls.append(tp / num_pos)
    ap, prev_recall = 0.0, 0.0
    for i, r in enumerate(recalls):
        if r > prev_recall:
            ap += (r - prev_recall) * max(precisions[i:])
            prev_recall = r
    return ap


@pytest.mark.parametrize('seed', range(6))
def test_voc_ap_matches_reference(seed):
    rng = np.random.default_rng(seed)
    n = 40
    labels = rng.choice([1, 0, -1], size=n, p=[0.3, 0.6, 0.1])
    labels[0] = 1
    scores = rng.normal(size=n) + labels  # distinct scores
    assert voc_ap(labels, scores) == pytest.approx(
        reference_ap(labels, scores), abs=1e-12)


def test_voc_ap_known_values_and_difficult_excluded():
    # ranking: pos, neg, pos -> precisions 1, 1/2, 2/3; envelope 1, 2/3, 2/3
    assert voc_ap(np.array([1, 0, 1]), np.array([3., 2., 1.])) == \
        pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    # a difficult image ranked first changes nothing
    assert voc_ap(np.array([-1, 1, 0, 1]), np.array([9., 3., 2., 1.])) == \
        pytest.approx(0.5 + 1 / 3)
    assert voc_ap(np.array([0, 0]), np.array([1., 2.])) == 0.0


def _synthetic(n, num_classes=3, dim=16, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(num_classes, dim)) * 3
    labels = (rng.random((n, num_classes)) < 0.35).astype(np.int32)
    labels[np.arange(n), rng.integers(0, num_classes, n)] = 1
    feats = labels @ centers + rng.normal(size=(n, dim))
    difficult = rng.random((n, num_classes)) < 0.05
    labels[difficult & (labels == 0)] = -1
    return feats.astype(np.float32), labels


def test_svm_crossval_train_and_test():
    x, y = _synthetic(230)
    x_tr, y_tr, x_te, y_te = x[:150], y[:150], x[150:], y[150:]
    model = train_svms_crossval(x_tr, y_tr, costs=(0.01, 1.0, 100.0))
    assert model['weight'].shape == (3, 16)
    assert model['cv_ap'].shape == (3, 3)
    assert set(model['cost']) <= {0.01, 1.0, 100.0}
    aps, mAP = evaluate_svms(model, x_te, y_te)
    assert aps.shape == (3, ) and mAP > 80
    # cost chosen = argmax of the cross-validation AP
    for c in range(3):
        assert model['cost'][c] == (0.01, 1.0, 100.0)[
            int(np.argmax(model['cv_ap'][c]))]


def test_l2_normalize():
    x = np.array([[3., 4.], [0., 0.]])
    out = l2_normalize(x)
    assert np.allclose(out[0], [0.6, 0.8], atol=1e-5)
    assert np.allclose(out[1], 0)


def test_cost_grid_is_the_reference_scripts():
    """eval_svm_full.sh / eval_svm_lowshot.sh pass costs "1.0,10.0,100.0";
    svm_helper.parse_cost_list appends 0.5**n for n in range(4, 20)."""
    expected = [1.0, 10.0, 100.0] + [2.0**-n for n in range(4, 20)]
    assert list(DEFAULT_COSTS) == expected
    assert len(DEFAULT_COSTS) == 19


def _with_difficult(n=150, num_classes=4, seed=0):
    x, y = _synthetic(n, num_classes, seed=seed)
    rng = np.random.default_rng(seed + 1)
    y[rng.random(y.shape) < 0.1] = -1   # some difficult entries
    return x, y


def test_low_shot_sample_composition():
    _, y = _with_difficult()
    num_classes = y.shape[1]
    for k in (1, 3, 8):
        a = low_shot_targets(y, k=k, sample=0)
        assert a.shape == y.shape and set(np.unique(a)) <= {-1, 0, 1}
        for c in range(num_classes):
            assert (a[:, c] == 1).sum() == k
            assert (a[:, c] == 0).sum() == (num_classes - 1) * k
            # positives drawn from positives, negatives from negatives:
            # difficult images are never sampled
            assert (y[a[:, c] == 1, c] == 1).all()
            assert (y[a[:, c] == 0, c] == 0).all()
            assert (a[y[:, c] == -1, c] == -1).all()
    a = low_shot_targets(y, 4, 0)
    assert np.array_equal(a, low_shot_targets(y, 4, 0))
    assert not np.array_equal(a, low_shot_targets(y, 4, 1))
    with pytest.raises(ValueError, match='fewer than the 1000'):
        low_shot_targets(y, k=1000, sample=0)
    with pytest.raises(ValueError, match='negatives, fewer than'):
        low_shot_targets(y, k=40, sample=0)   # 3 * 40 negatives needed


def reference_sample_files(folder, targets, ks, num_samples, seed=0):
    """Independent writer of the reference's files, as
    create_voc_low_shot_challenge_samples.py does it: start from -1, draw k
    positives and (C-1)*k negatives per class with random.sample, save
    train_targets_sample{s}_k{k}.npy (s from 1)."""
    random.seed(seed)
    num_classes = targets.shape[1]
    for s in range(1, num_samples + 1):
        for k in ks:
            out = -np.ones(targets.shape, dtype=np.int32)
            for symbol, num in ((1, k), (0, (num_classes - 1) * k)):
                for c in range(num_classes):
                    rows = list(np.where(targets[:, c] == symbol)[0])
                    for r in random.sample(rows, num):
                        out[r, c] = symbol
            np.save(folder / f'train_targets_sample{s}_k{k}.npy', out)


def test_low_shot_trains_on_sampled_images_only(tmp_path):
    """Every class is trained on its k positives and (C-1)*k negatives:
    moving any other training image (unsampled positives, negatives and
    difficult images) changes nothing; moving a sampled one does."""
    x, y = _with_difficult(seed=3)
    x_tr, y_tr, x_te, y_te = x[:110], y[:110], x[110:], y[110:]
    reference_sample_files(tmp_path, y_tr, ks=(2, ), num_samples=2)
    assert low_shot_file_name(2, 0) == 'train_targets_sample1_k2.npy'
    samples = read_low_shot_samples(str(tmp_path), y_tr, ks=(2, ),
                                    num_samples=2)
    assert sorted(samples) == [(2, 0), (2, 1)]
    run = lambda feats: low_shot_svm(  # noqa: E731
        feats, y_tr, x_te, y_te, ks=(2, ), num_samples=2,
        costs=(0.1, 10.0), samples=samples)[0]
    base = run(x_tr)
    used = np.zeros(len(y_tr), bool)
    for sample in samples.values():
        used |= (sample != -1).any(axis=1)
    assert not used.all()
    moved = x_tr.copy()
    moved[~used] = np.random.default_rng(0).normal(
        size=moved[~used].shape) * 100
    np.testing.assert_allclose(run(moved)['map'], base['map'])
    moved = x_tr.copy()
    moved[used] *= -1
    assert not np.allclose(run(moved)['map'], base['map'])


def test_reference_sample_files_are_checked(tmp_path):
    _, y = _with_difficult()
    with pytest.raises(FileNotFoundError, match='train_targets_sample1_k1'):
        read_low_shot_samples(str(tmp_path), y, ks=(1, ), num_samples=1)
    reference_sample_files(tmp_path, y, ks=(1, ), num_samples=1)
    # the same file read against other row order -> named error
    with pytest.raises(ValueError, match='another image list or row order'):
        read_low_shot_samples(str(tmp_path), y[::-1], ks=(1, ),
                              num_samples=1)
    with pytest.raises(ValueError, match='shape'):
        read_low_shot_samples(str(tmp_path), y[:-1], ks=(1, ),
                              num_samples=1)


def test_low_shot_svm_report():
    x, y = _synthetic(180)
    x_tr, y_tr, x_te, y_te = x[:120], y[:120], x[120:], y[120:]
    report = low_shot_svm(x_tr, y_tr, x_te, y_te, ks=(1, 8), num_samples=2,
                          costs=(0.1, 10.0))
    assert [r['k'] for r in report] == [1, 8]
    for r in report:
        assert r['map'].shape == (2, 2)
        best = np.argmax(r['map'].mean(0))
        assert r['cost'] == (0.1, 10.0)[best]
        assert r['mean'] == pytest.approx(r['map'][:, best].mean())
    assert report[1]['mean'] >= report[0]['mean'] - 5


def test_bad_targets():
    with pytest.raises(ValueError, match='may hold 1'):
        train_svms_crossval(np.zeros((6, 2)), np.full((6, 1), 2))


def _write_voc(root):
    (root / 'ImageSets' / 'Main').mkdir(parents=True)
    (root / 'Annotations').mkdir()
    objs = {'000001': [('dog', 0), ('person', 1)],
            '000002': [('person', 0), ('person', 1)],
            '000003': [('cat', 1)]}
    for img, objects in objs.items():
        body = ''.join(f'<object><name>{n}</name><difficult>{d}</difficult>'
                       f'</object>' for n, d in objects)
        (root / 'Annotations' / f'{img}.xml').write_text(
            f'<annotation>{body}</annotation>')
    (root / 'ImageSets' / 'Main' / 'test.txt').write_text(
        '000001\n000002\n000003\n')


def test_read_voc07(tmp_path):
    _write_voc(tmp_path)
    paths, labels = read_voc07(str(tmp_path), 'test',
                               classes=('cat', 'dog', 'person'))
    assert paths[0].endswith('JPEGImages/000001.jpg')
    assert labels.tolist() == [[0, 1, -1], [0, 0, 1], [-1, 0, 0]]
    with pytest.raises(FileNotFoundError, match='VOC2007 folder'):
        read_voc07(str(tmp_path), 'trainval')
    with pytest.raises(ValueError, match="unknown class 'person'"):
        read_voc07(str(tmp_path), 'test', classes=('cat', 'dog'))


def test_read_multilabel_file(tmp_path):
    ann = tmp_path / 'ann.txt'
    ann.write_text('# comment\na.png 0 2\nb.png d1 2\nc.png\n')
    paths, labels = read_multilabel_file(str(ann), 'root', num_classes=4)
    assert paths == ['root/a.png', 'root/b.png', 'root/c.png']
    assert labels.tolist() == [[1, 0, 1, 0], [0, -1, 1, 0], [0, 0, 0, 0]]
    ann.write_text('a.png x\n')
    with pytest.raises(ValueError, match='not a class index'):
        read_multilabel_file(str(ann))


def test_svm_normalize_keeps_the_protocols_numerics():
    """One l2_normalize serves clustering (float32, eps 1e-10) and the SVM
    protocol (float64, eps 1e-5, as the reference casts before
    normalising)."""
    from mmssl_ext.evaluation.functional.clustering import \
        l2_normalize as generic
    from mmssl_ext.evaluation.functional.svm_voc07 import svm_normalize
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    x[4] = 1e-6
    out = svm_normalize(x)
    x64 = x.astype(np.float64)
    ref = x64 / (np.linalg.norm(x64, axis=1, keepdims=True) + 1e-5)
    assert out.dtype == np.float64 and np.array_equal(out, ref)
    assert l2_normalize is generic
    out32 = generic(x)
    ref32 = x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-10)
    assert out32.dtype == np.float32 and np.array_equal(out32, ref32)
