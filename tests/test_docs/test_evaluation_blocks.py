"""docs/evaluation.md blocks run as written (with the rewrites each test
names). Blocks that other tests already run are registered to those tests in
tests/test_docs/registry.py."""
import os
import os.path as osp

from mmengine.config import Config
from mmengine.runner import Runner

import mmssl_ext  # noqa: F401
from tests.helpers import DEMO_CONFIG, tiny_demo_cfg
from tests.test_docs.snippets import (Rewrite, blocks_for, make_sandbox,
                                      run_block, synopsis_calls,
                                      synopsis_problems)


def test_knn_eval_hook_lines_train(request, fmnist_tiny, tmp_path):
    """The `custom_hooks` line, pasted under the demo config (which holds
    `knn_train_dataloader` / `knn_test_dataloader`), trains one tiny epoch
    and logs kNN accuracy. Rewrites: `interval=10` -> `interval=1` (the run
    has one epoch); the kNN splits then point at the tiny data (96 / 40
    images, no workers)."""
    block, = blocks_for(request)
    interval = Rewrite(r'interval=10\b', 'interval=1',
                       'interval=1: the tiny run has one epoch')
    text, changed = interval.apply(block.text)
    assert changed
    (tmp_path / 'cfg.py').write_text(f'_base_ = {DEMO_CONFIG!r}\n' + text)
    hooks = Config.fromfile(str(tmp_path / 'cfg.py')).custom_hooks
    assert [h['type'] for h in hooks] == ['KNNEvalHook']
    for key, n in (('train_dataloader', 96), ('test_dataloader', 40)):
        dl = hooks[0][key]
        dl.dataset.data_root = fmnist_tiny
        dl.dataset.indices = n
        dl.num_workers, dl.batch_size = 0, 16
    cfg = tiny_demo_cfg(fmnist_tiny, str(tmp_path / 'work'))
    cfg.custom_hooks = hooks
    runner = Runner.from_cfg(cfg)
    runner.train()
    hook, = [h for h in runner.hooks if type(h).__name__ == 'KNNEvalHook']
    assert set(hook.last_results) == {'k20_top1', 'k20_top5'}
    assert 0 <= hook.last_results['k20_top1'] <= 100


def test_semi_supervised_subset_commands(request, tmp_path):
    """Both converter commands verbatim in a sandbox holding the files they
    name: a 3-image ImageNet `meta/train.txt` + `1percent.txt`, and a
    Fashion-MNIST-like `meta/train.txt` of 3 classes x 20 images."""
    block, = blocks_for(request)
    root = make_sandbox(str(tmp_path))
    os.makedirs(osp.join(root, 'data', 'imagenet', 'meta'))
    with open(osp.join(root, 'data', 'imagenet', 'meta', 'train.txt'),
              'w') as f:
        f.write('n01/n01_1.JPEG 0\nn01/n01_2.JPEG 0\nn02/n02_7.JPEG 1\n')
    with open(osp.join(root, '1percent.txt'), 'w') as f:
        f.write('n02_7.JPEG\nn01_1.JPEG\n')
    os.makedirs(osp.join(root, 'data', 'fashion_mnist', 'meta'))
    with open(osp.join(root, 'data', 'fashion_mnist', 'meta', 'train.txt'),
              'w') as f:
        for c in range(3):
            for i in range(20):
                f.write(f'train/{c}_x/{c * 20 + i:05d}.png {c}\n')
    run_block(block, root)
    one = open(osp.join(root, 'data', 'imagenet', 'meta',
                        'train_1percent.txt')).read()
    assert one == 'n02/n02_7.JPEG 1\nn01/n01_1.JPEG 0\n'
    ten = open(osp.join(root, 'data', 'fashion_mnist', 'meta',
                        'train_10pct.txt')).read().splitlines()
    labels = sorted(int(l.split()[1]) for l in ten)
    assert labels == [0, 0, 1, 1, 2, 2]   # ceil(0.1 * 20) per class


def test_launcher_synopses(request):
    """The kNN, linear, semi-supervised and SVM blocks are synopses
    (CONFIG, PRETRAIN, PARTITION ...): every script they call exists and
    accepts that many positional arguments by its own usage line (a launcher
    whose arguments change without the docs fails here). The launchers'
    runs are tested elsewhere (see the registry's notes)."""
    blocks = blocks_for(request)
    assert len(blocks) == 4
    for block in blocks:
        assert synopsis_calls(block.text), block.where()
        problems = synopsis_problems(block.text)
        assert not problems, f'{block.where()}:\n' + '\n'.join(problems)
