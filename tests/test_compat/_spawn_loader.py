"""Run as a script: build DataLoaders whose workers start by ``spawn`` and
print, as JSON, what each worker saw. argv: DATA_ROOT MODE..., where MODE is
``patched`` (Runner.build_dataloader as mmssl_ext leaves it; ColorJitter
with hue=0.5 in the pipeline), ``forced`` (the worker wrapper on, whatever
the versions) or ``upstream`` (mmengine's own build_dataloader).

A spawned worker re-runs this file's top level as ``__mp_main__``, so every
import that could bring in mmssl_ext sits inside ``main`` (like
mmpretrain's tools/train.py, whose top level does not import mmssl_ext)."""
import json
import sys


def main(root: str, *modes: str) -> None:
    import mmcv
    import mmssl_ext  # noqa: F401  (what custom_imports does)
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner

    from mmssl_ext.compat import build_dataloader as compat
    from tests.test_compat._worker_probe import probe_collate

    init_default_scope('mmpretrain')
    original = compat.original_build_dataloader(Runner)
    builders = {
        'patched': Runner.build_dataloader,
        'forced': compat._wrap(original, strip=False, workers=True),
        'upstream': original,
    }
    report = dict(parent_adjust_hue=mmcv.adjust_hue.__module__)
    for mode in modes:
        pipeline = [dict(type='LoadImageFromFile')]
        if mode == 'patched':
            pipeline.append(dict(type='ColorJitter', hue=0.5))
        pipeline.append(dict(type='PackInputs'))
        cfg = dict(
            dataset=dict(type='CustomDataset', data_root=root,
                         data_prefix='', with_label=False, pipeline=pipeline),
            sampler=dict(type='DefaultSampler', shuffle=False),
            batch_size=8, num_workers=1, multiprocessing_context='spawn',
            collate_fn=dict(type=probe_collate))
        report[mode] = list(builders[mode](cfg, seed=0))
    print(json.dumps(report))


if __name__ == '__main__':
    main(*sys.argv[1:])
