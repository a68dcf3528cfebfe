"""mmssl_ext.utils.dist: uneven all-gather and last-occurrence
de-duplication, alone and inside both memories, with 1 and 2 processes."""
import os.path as osp

import numpy as np
import torch

from mmssl_ext.utils.dist import (all_gather_rows, all_gather_unique_rows,
                                  gather_rows_chunked, last_occurrence)
from tests.helpers import run_distributed

SCRIPT = osp.join(osp.dirname(__file__), 'dist_scripts',
                  'uneven_batches_ddp.py')


def uneven_batch(rank: int):
    """Rank 0: samples (2, 0, 4); rank 1: sample (2,). Seeded features."""
    idx = torch.tensor([[2, 0, 4], [2]][rank])
    g = torch.Generator().manual_seed(rank)
    return idx, torch.randn(len(idx), 4, generator=g)


def _global_batch():
    parts = [uneven_batch(r) for r in range(2)]
    return (torch.cat([p[0] for p in parts]),
            torch.cat([p[1] for p in parts]))


def test_last_occurrence_reference():
    idx = torch.tensor([5, 1, 7, 5, 3, 1])
    uniq, pos = last_occurrence(idx)
    # plain reference: the last position of each value
    ref = {}
    for j, i in enumerate(idx.tolist()):
        ref[i] = j
    assert uniq.tolist() == sorted(ref)
    assert pos.tolist() == [ref[i] for i in sorted(ref)]


def test_single_process_is_the_identity_plus_dedup():
    idx, feats = uneven_batch(0)
    assert all_gather_rows(feats) is feats
    assert gather_rows_chunked(feats) is feats
    uniq, rows = all_gather_unique_rows(torch.tensor([3, 1, 3]),
                                        torch.arange(3.).view(3, 1))
    assert uniq.tolist() == [1, 3] and rows.view(-1).tolist() == [1., 2.]


def _reference_simple(idx, feats, momentum=0.3):
    """NumPy SimpleMemory update of the global batch (last one wins)."""
    from mmssl_ext.models.memories import SimpleMemory
    bank = SimpleMemory(length=6, feat_dim=4).feature_bank.numpy().copy()
    last = {i: j for j, i in enumerate(idx.tolist())}
    for i, j in last.items():
        f = feats[j].numpy() / np.linalg.norm(feats[j].numpy())
        v = (1 - momentum) * bank[i] + momentum * f
        bank[i] = v / np.linalg.norm(v)
    return bank


def test_two_processes_with_uneven_batches(tmp_path):
    run_distributed(SCRIPT, [str(tmp_path)], nproc=2, timeout=300)
    out = [torch.load(str(tmp_path / f'rank{r}.pt')) for r in range(2)]
    idx, feats = _global_batch()
    for r in range(2):
        # rank-ordered concatenation of 3 + 1 rows; an empty batch is fine
        assert torch.equal(out[r]['rows'], feats)
        assert torch.equal(out[r]['empty'], feats[:3])
        assert torch.equal(out[r]['chunked_all'], feats)
        assert out[r]['chunked_none'].shape == (0, 4)
        # index 2 is on both ranks: rank 1's row (the last) wins
        assert out[r]['uniq_idx'].tolist() == [0, 2, 4]
        assert torch.equal(out[r]['uniq_rows'], feats[[1, 3, 2]])
    # gathered to rank 0 only
    assert torch.equal(out[0]['chunked_0'], feats)
    assert out[1]['chunked_0'] is None
    for key in ('simple_bank', 'odc_bank', 'odc_labels', 'odc_ratio',
                'odc_bank_after_nan', 'odc_nonfinite'):
        assert torch.equal(out[0][key], out[1][key]), key
    np.testing.assert_allclose(out[0]['simple_bank'].numpy(),
                               _reference_simple(idx, feats), atol=1e-6)
    # ODC: the same update as one process given the global batch
    from mmssl_ext.models.memories import ODCMemory
    odc = ODCMemory(length=6, feat_dim=4, num_classes=2, momentum=0.3,
                    min_cluster=1)
    init = torch.arange(24, dtype=torch.float32).view(6, 4).cos()
    odc.init_memory(init, torch.tensor([0, 1, 0, 1, 0, 1]))
    ratio = odc.update_samples_memory(idx, feats)
    assert torch.allclose(out[0]['odc_bank'], odc.feature_bank, atol=1e-6)
    assert torch.equal(out[0]['odc_labels'], odc.label_bank)
    assert float(out[0]['odc_ratio']) == float(ratio)
    # the NaN step wrote nothing on either rank and was counted on both
    assert torch.equal(out[0]['odc_bank_after_nan'], out[0]['odc_bank'])
    assert int(out[0]['odc_nonfinite']) == 1


def test_rank0_failure_stops_every_rank(tmp_path):
    """A step run on rank 0 only (DeepClusterHook's k-means) that raises:
    rank 0 re-raises it, rank 1 gets Rank0Error naming the step; neither
    waits for the other (the run finishes, both still communicate)."""
    script = osp.join(osp.dirname(__file__), 'dist_scripts',
                      'rank0_failure_ddp.py')
    run_distributed(script, [str(tmp_path)], nproc=2, timeout=300)
    r0, r1 = (torch.load(str(tmp_path / f'rank{r}.pt')) for r in range(2))
    assert r0['ok'] == 42 and r1['ok'] is None
    assert r0['outcome'] == 'FloatingPointError: NaN features'
    assert r1['outcome'].startswith('Rank0Error: k-means failed on rank 0')
    assert r0['total'] == r1['total'] == 1


def test_rank0_step_alone_returns_its_result():
    from mmssl_ext.utils.dist import on_rank0
    assert on_rank0(lambda: 'x', 'a step') == 'x'
