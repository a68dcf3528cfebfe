"""MMSelfSup's hook argument names: mapped to ours with one deprecation
warning each, same hook as with our names, conflicts refused."""
import warnings

import pytest

import mmssl_ext  # noqa: F401
from mmpretrain.registry import HOOKS
from mmssl_ext.engine.hooks import (DeepClusterHook, MomentumUpdateHook,
                                    ODCHook)
from mmssl_ext.engine.hooks.mmselfsup_args import MMSelfSupArgWarning

DATASET = dict(type='CustomDataset', data_root='data/x', with_label=False,
               pipeline=[dict(type='LoadImageFromFile'),
                         dict(type='PackInputs')])

# (hook type, MMSelfSup arguments, the same in our names, MMSelfSup names)
CASES = [
    ('DeepClusterHook',
     # MMSelfSup 0.x DeepCluster recipe
     dict(extractor=dict(samples_per_gpu=128, workers_per_gpu=8,
                         dataset=DATASET, prefetch=False,
                         img_norm_cfg=dict(mean=[0.5], std=[0.2])),
          clustering=dict(type='Kmeans', k=10, pca_dim=256),
          unif_sampling=True, reweight=False, reweight_pow=0.5,
          initial=True, interval=1, dist_mode=True, data_loaders=None),
     dict(extract_dataloader=dict(batch_size=128, num_workers=8,
                                  dataset=DATASET),
          num_clusters=10, pca_dim=256, balanced_sampling=True,
          reweight=False, reweight_pow=0.5, initial=True, interval=1),
     ['extractor', 'clustering', 'unif_sampling', 'dist_mode',
      'data_loaders']),
    ('DeepClusterHook',
     # MMSelfSup 0.x ODC initialisation (no PCA), imgs_per_gpu spelling
     dict(extractor=dict(imgs_per_gpu=4, samples_per_gpu=2,
                         workers_per_gpu=0, dataset=DATASET),
          clustering=dict(type='Kmeans', k=5, pca_dim=-1),
          unif_sampling=False, reweight=True, reweight_pow=0.5,
          init_memory=True, interval=9999999999),
     dict(extract_dataloader=dict(batch_size=4, num_workers=0,
                                  dataset=DATASET),
          num_clusters=5, pca_dim=-1, balanced_sampling=False,
          reweight=True, reweight_pow=0.5, init_memory=True,
          interval=9999999999),
     ['extractor', 'clustering', 'unif_sampling']),
    ('DeepClusterHook',
     # MMSelfSup 1.x: extract_dataloader already, seed=None, no dist_mode
     dict(extract_dataloader=dict(batch_size=4, dataset=DATASET),
          clustering=dict(type='Kmeans', k=5), unif_sampling=True,
          reweight=False, reweight_pow=0.5, seed=None),
     dict(extract_dataloader=dict(batch_size=4, dataset=DATASET),
          num_clusters=5, balanced_sampling=True, reweight=False,
          reweight_pow=0.5, seed=0),
     ['clustering', 'unif_sampling']),
    ('ODCHook',
     dict(centroids_update_interval=10, deal_with_small_clusters_interval=1,
          evaluate_interval=50, reweight=True, reweight_pow=0.5,
          dist_mode=True),
     dict(centroids_update_interval=10, deal_with_small_clusters_interval=1,
          evaluate_interval=50, reweight=True, reweight_pow=0.5),
     ['dist_mode']),
    ('MomentumUpdateHook',
     dict(end_momentum=0.999, update_interval=1),
     dict(end_tau=0.999, update_interval=1),
     ['end_momentum']),
]


def _state(hook):
    return {k: v for k, v in vars(hook).items()}


@pytest.mark.parametrize('kind,old,new,renamed', CASES)
def test_mmselfsup_names_build_the_same_hook(kind, old, new, renamed):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        hook_old = HOOKS.build(dict(type=kind, **old))
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # our names: no warning at all
        hook_new = HOOKS.build(dict(type=kind, **new))
    assert _state(hook_old) == _state(hook_new)
    ours = [w for w in caught if issubclass(w.category, MMSelfSupArgWarning)]
    assert issubclass(MMSelfSupArgWarning, DeprecationWarning)
    # one warning per MMSelfSup argument, naming it and what replaces it
    assert len(ours) == len(renamed)
    for name, warning in zip(renamed, ours):
        assert f'{kind}({name}=...)' in str(warning.message)
    hints = {'extractor': '`extract_dataloader`',
             'clustering': '`num_clusters=K, pca_dim=D`',
             'unif_sampling': '`balanced_sampling`',
             'end_momentum': '`end_tau`', 'dist_mode': 'remove it',
             'data_loaders': 'remove it'}
    for name, warning in zip(renamed, ours):
        assert hints[name] in str(warning.message)


def test_mmselfsup_names_the_input_config_is_not_modified():
    extractor = dict(samples_per_gpu=2, dataset=DATASET)
    clustering = dict(type='Kmeans', k=3)
    with pytest.warns(DeprecationWarning):
        DeepClusterHook(extractor=extractor, clustering=clustering)
    assert extractor == dict(samples_per_gpu=2, dataset=DATASET)
    assert clustering == dict(type='Kmeans', k=3)


def test_mmselfsup_names_conflicts_and_bad_values():
    loader = dict(batch_size=2, dataset=DATASET)
    with pytest.raises(TypeError, match='keep `num_clusters` only'), \
            pytest.warns(DeprecationWarning):
        DeepClusterHook(extract_dataloader=loader, num_clusters=3,
                        clustering=dict(type='Kmeans', k=3))
    with pytest.raises(TypeError, match='keep `balanced_sampling` only'), \
            pytest.warns(DeprecationWarning):
        DeepClusterHook(extract_dataloader=loader, num_clusters=3,
                        balanced_sampling=True, unif_sampling=True)
    with pytest.raises(ValueError, match="only MMSelfSup's 'Kmeans'"), \
            pytest.warns(DeprecationWarning):
        DeepClusterHook(extract_dataloader=loader,
                        clustering=dict(type='PIC'))
    with pytest.raises(TypeError, match='needs k'), \
            pytest.warns(DeprecationWarning):
        DeepClusterHook(extract_dataloader=loader,
                        clustering=dict(type='Kmeans'))
    with pytest.raises(TypeError, match=r"unknown keys \['n_iter'\]"), \
            pytest.warns(DeprecationWarning):
        DeepClusterHook(extract_dataloader=loader,
                        clustering=dict(type='Kmeans', k=3, n_iter=5))
    # a name that is neither ours nor MMSelfSup's stays a TypeError
    with pytest.raises(TypeError, match='unexpected keyword'):
        ODCHook(no_such_argument=1)
    with pytest.raises(TypeError, match='keep `end_tau` only'), \
            pytest.warns(DeprecationWarning):
        MomentumUpdateHook(end_tau=0.99, end_momentum=0.999)
