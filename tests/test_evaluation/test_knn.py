"""Weighted kNN against a brute-force reference; chunked == unchunked."""
import numpy as np
import pytest
import torch

from mmssl_ext.evaluation.functional import (knn_accuracy, knn_classify,
                                             knn_topk)


def _brute_force(train, train_labels, query, k, temperature, num_classes):
    """Plain NumPy weighted kNN, one query at a time."""
    train = train / np.linalg.norm(train, axis=1, keepdims=True)
    query = query / np.linalg.norm(query, axis=1, keepdims=True)
    scores = np.zeros((len(query), num_classes))
    for i, q in enumerate(query):
        sims = train @ q
        nearest = np.argsort(-sims)[:k]
        for j in nearest:
            scores[i, train_labels[j]] += np.exp(sims[j] / temperature)
    return scores


@pytest.fixture
def data():
    g = torch.Generator().manual_seed(0)
    train = torch.randn(300, 16, generator=g, dtype=torch.float64)
    labels = torch.randint(0, 5, (300, ), generator=g)
    query = torch.randn(70, 16, generator=g, dtype=torch.float64)
    qlabels = torch.randint(0, 5, (70, ), generator=g)
    return train, labels, query, qlabels


@pytest.mark.parametrize('k', [1, 7, 20])
def test_scores_match_brute_force(data, k):
    train, labels, query, _ = data
    scores = knn_classify(train, labels, query, ks=[k], temperature=0.1,
                          num_classes=5)[k]
    ref = _brute_force(train.numpy(), labels.numpy(), query.numpy(), k, 0.1, 5)
    np.testing.assert_allclose(scores.numpy(), ref, rtol=1e-4)


def test_chunked_equals_unchunked(data):
    train, labels, query, qlabels = data
    whole = knn_classify(train, labels, query, ks=[5, 20], num_classes=5,
                         query_chunk=10_000, train_chunk=10_000)
    chunked = knn_classify(train, labels, query, ks=[5, 20], num_classes=5,
                           query_chunk=7, train_chunk=13)
    for k in (5, 20):
        torch.testing.assert_close(whole[k], chunked[k])
    sims_a, idx_a = knn_topk(train, query, 20, 1000, 1000)
    sims_b, idx_b = knn_topk(train, query, 20, 3, 11)
    torch.testing.assert_close(sims_a, sims_b)
    assert torch.equal(idx_a, idx_b)


def test_accuracy_on_separable_data():
    centers = torch.eye(4) * 10
    train = centers.repeat_interleave(25, 0) + torch.randn(100, 4) * 0.1
    labels = torch.arange(4).repeat_interleave(25)
    res = knn_accuracy(train, labels, centers, torch.arange(4), ks=[10])
    assert res['k10_top1'] == 100.0


def test_bad_input_is_explained(data):
    train, labels, query, qlabels = data
    with pytest.raises(ValueError, match='k=301'):
        knn_classify(train, labels, query, ks=[301])
    with pytest.raises(ValueError, match='Feature dims differ'):
        knn_classify(train, labels, query[:, :8], ks=[5])
    with pytest.raises(ValueError, match='labels'):
        knn_classify(train, labels[:10], query, ks=[5])
    with pytest.raises(ValueError, match='temperature'):
        knn_classify(train, labels, query, ks=[5], temperature=0)


def reference_top1_top5(train, train_labels, query, query_labels, k,
                        temperature, num_classes, zero_vote_credit=True):
    """NumPy re-implementation of the reference's counting (MMSelfSup's
    knn_classifier, from DINO): classes sorted by summed vote weight,
    descending; top-1 = first class, top-5 = among the first min(5, k).
    Tied classes keep increasing class order (what torch's CPU sort gives for
    up to 16 classes). zero_vote_credit=False: a class without votes never
    counts."""
    scores = _brute_force(train, train_labels, query, k, temperature,
                          num_classes)
    top1 = top5 = 0
    for score, label in zip(scores, query_labels):
        order = list(np.argsort(-score, kind='stable'))
        credited = zero_vote_credit or score[label] > 0
        top1 += credited and order[0] == label
        top5 += credited and label in order[:min(5, k)]
    n = len(query_labels)
    return 100.0 * top1 / n, 100.0 * top5 / n


@pytest.fixture
def clustered():
    """Neighbours concentrated in few of 10 classes, so that for k < 5 and
    often for k = 5 the top-5 list has to be filled with zero-vote classes
    (all tied at 0), and queries of a class nobody votes for."""
    g = torch.Generator().manual_seed(1)
    centers = torch.randn(10, 8, generator=g, dtype=torch.float64) * 3
    labels = torch.arange(10).repeat_interleave(12)
    train = centers[labels] + torch.randn(120, 8, generator=g,
                                          dtype=torch.float64)
    qlabels = torch.randint(0, 10, (80, ), generator=g)
    query = centers[qlabels] + 2.5 * torch.randn(80, 8, generator=g,
                                                 dtype=torch.float64)
    return train, labels, query, qlabels


@pytest.mark.parametrize('k', [1, 3, 5, 20])
@pytest.mark.parametrize('zero_vote_credit', [True, False])
def test_top1_top5_match_reference_counting(clustered, k, zero_vote_credit):
    train, labels, query, qlabels = clustered
    res = knn_accuracy(train, labels, query, qlabels, ks=[k],
                       temperature=0.07, zero_vote_credit=zero_vote_credit)
    top1, top5 = reference_top1_top5(train.numpy(), labels.numpy(),
                                     query.numpy(), qlabels.numpy(), k, 0.07,
                                     10, zero_vote_credit)
    assert res[f'k{k}_top1'] == pytest.approx(top1)
    assert res[f'k{k}_top5'] == pytest.approx(top5)
    if k == 1:  # top-5 counts min(5, k) = 1 class
        assert res['k1_top5'] == res['k1_top1']


def test_zero_vote_ties_follow_the_reference_sort():
    """One neighbour of class 2 (k = 3 of 3 training samples in classes 2,
    2, 4): slots 1-2 are classes 2 and 4, slot 3 the lowest-index zero-vote
    class 0, which the reference's top-5 credits; class 1 is not credited."""
    train = torch.tensor([[1., 0.], [0.9, 0.1], [0.8, 0.3]])
    labels = torch.tensor([2, 2, 4])
    query = torch.tensor([[1., 0.], [1., 0.]])
    res = knn_accuracy(train, labels, query, torch.tensor([0, 1]), ks=[3],
                       num_classes=6)
    assert res == {'k3_top1': 0.0, 'k3_top5': 50.0}
    res = knn_accuracy(train, labels, query, torch.tensor([0, 1]), ks=[3],
                       num_classes=6, zero_vote_credit=False)
    assert res == {'k3_top1': 0.0, 'k3_top5': 0.0}


@pytest.mark.parametrize('which', ['train', 'query'])
def test_non_finite_features_are_refused(data, which):
    train, labels, query, qlabels = (t.clone() for t in data)
    (train if which == 'train' else query)[4, 3] = float('nan')
    name = 'training' if which == 'train' else 'query'
    with pytest.raises(ValueError, match=rf'1 of \d+ {name} features.*NaN.*'
                       r'row 4.*diverged.*earlier checkpoint'):
        knn_accuracy(train, labels, query, qlabels, ks=(5, ))
    (train if which == 'train' else query)[4, 3] = float('-inf')
    with pytest.raises(ValueError, match='diverged'):
        knn_topk(train, query, 5)
