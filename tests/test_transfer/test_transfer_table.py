"""benchmarks/transfer_fashion_mnist_table.py without training (the
fine-tuning path itself is covered by test_transfer_train.py):
schedule cutting, caching of finished steps, the table."""
import json

import pytest
from mmengine.config import Config

from tests.helpers import REPO_ROOT
from tests.test_tools._load_tool import load_tool
from tests.test_transfer.helpers import require_transfer_extras


@pytest.fixture(scope='module')
def tool():
    return load_tool('../benchmarks/transfer_fashion_mnist_table.py')


@pytest.mark.parametrize('task', ['seg', 'det'])
def test_schedule_options_apply_to_the_config(tool, task):
    """The options address existing keys of the real configs."""
    require_transfer_extras()
    cfg = Config.fromfile(f"{REPO_ROOT}/{tool.TASKS[task]['config']}")
    assert not any('seed' in o for o in tool.schedule_options(task, 400))
    opts = dict(o.split('=', 1) for o in tool.schedule_options(task, 400, 3))
    cfg.merge_from_dict({k: eval(v) for k, v in opts.items()})
    assert cfg.randomness.seed == 3
    assert cfg.train_cfg.max_iters == 400
    assert cfg.train_cfg.val_interval == 400
    if task == 'seg':
        assert cfg.param_scheduler[0].type == 'PolyLR'
        assert cfg.param_scheduler[0].end == 400
    else:
        assert cfg.param_scheduler[1].type == 'MultiStepLR'
        assert cfg.param_scheduler[1].milestones == [300, 360]
        assert cfg.param_scheduler[1].end == 400


def test_cached_results_and_table(tool, tmp_path, monkeypatch):
    for task, res in (('seg', {'mIoU': 40.0}),
                      ('det', {'box mAP': 10.0, 'mask mAP': 12.5})):
        (tmp_path / 'random' / task).mkdir(parents=True)
        (tmp_path / 'random' / task / 'result.json').write_text(
            json.dumps(dict(res, checkpoint=None, iters=500)))
    monkeypatch.setattr(tool, 'run_logged',
                        lambda *a, **k: pytest.fail('re-ran a step'))
    tool.main(['--model', 'random=none', '--work-dir', str(tmp_path)])
    assert (tmp_path / 'table.md').read_text().splitlines() == [
        '| init | mIoU | box mAP | mask mAP |',
        '| --- | ---: | ---: | ---: |',
        '| random | 40.00 | 10.00 | 12.50 |']
    with pytest.raises(SystemExit, match='does not exist'):
        tool.main(['--model', f'x={tmp_path}/none.pth'])
    # Results of another schedule or seed are not mixed into this table.
    with pytest.raises(SystemExit, match=r"iters=500 \(now 4000\)"):
        tool.main(['--model', 'random=none', '--work-dir', str(tmp_path),
                   '--iters', '4000'])
    with pytest.raises(SystemExit, match=r"seed=None \(now 1\)"):
        tool.main(['--model', 'random=none', '--work-dir', str(tmp_path),
                   '--seed', '1'])
