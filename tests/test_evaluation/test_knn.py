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
