"""benchmarks/classification/fashion_mnist_table.py: the parts that are not
the benchmarks themselves (those have their own tests): model parsing,
reading mmengine's scalars, caching of finished steps, the table."""
import json

import pytest

from tests.test_tools._load_tool import load_tool


@pytest.fixture(scope='module')
def tool():
    return load_tool('../benchmarks/classification/fashion_mnist_table.py')


def test_parse_models(tool, tmp_path):
    ckpt = tmp_path / 'a.pth'
    ckpt.write_bytes(b'x')
    assert tool.parse_model_specs(['random=none', f'ssl={ckpt}']) == [
        ('random', None), ('ssl', str(ckpt))]
    with pytest.raises(SystemExit, match='expected NAME=CKPT'):
        tool.parse_model_specs(['just_a_path.pth'])
    with pytest.raises(SystemExit, match='does not exist'):
        tool.parse_model_specs([f'ssl={tmp_path}/missing.pth'])


def test_last_val_metrics_skips_training_entries(tool, tmp_path):
    run = tmp_path / '20260101_000000' / 'vis_data'
    run.mkdir(parents=True)
    lines = [dict(lr=0.1, loss=2.0, step=1),
             {'accuracy/top1': 50.0, 'step': 1},
             dict(lr=0.01, loss=1.0, step=2),
             {'accuracy/top1': 70.0, 'step': 2}]
    (run / 'scalars.json').write_text(
        '\n'.join(json.dumps(x) for x in lines) + '\n')
    assert tool.last_val_metrics(str(tmp_path))['accuracy/top1'] == 70.0
    with pytest.raises(SystemExit, match='no scalars.json'):
        tool.last_val_metrics(str(tmp_path / 'nothing'))


def test_finished_steps_are_not_rerun_and_table(tool, tmp_path, monkeypatch):
    args = tool.parse_args(['--model', 'random=none', '--work-dir',
                            str(tmp_path), '--steps', 'knn', 'mhead', 'svm'])
    done = {
        'knn': dict(top1=61.5),
        'mhead': dict(top1={f'feat{i}': 10.0 * i for i in range(1, 6)}),
        'svm': dict(mAP=55.0, low_shot={'1': 20.0, '4': 30.0, '16': 40.0,
                                        '64': 50.0}),
    }
    for step, res in done.items():
        (tmp_path / 'random' / step).mkdir(parents=True)
        (tmp_path / 'random' / step / 'result.json').write_text(
            json.dumps(res))
    monkeypatch.setattr(tool, 'run_logged',
                        lambda *a, **k: pytest.fail('re-ran a step'))
    results = tool.main(['--model', 'random=none', '--work-dir',
                         str(tmp_path), '--steps', 'knn', 'mhead', 'svm'])
    assert results['random']['knn']['top1'] == 61.5
    text = (tmp_path / 'table.md').read_text().splitlines()
    assert text[0] == ('| backbone | kNN | mhead feat1 | mhead feat2 | '
                       'mhead feat3 | mhead feat4 | mhead feat5 | SVM mAP | '
                       'low-shot k=1 | low-shot k=4 | low-shot k=16 | '
                       'low-shot k=64 |')
    assert text[2] == ('| random | 61.50 | 10.00 | 20.00 | 30.00 | 40.00 | '
                       '50.00 | 55.00 | 20.00 | 30.00 | 40.00 | 50.00 |')
    assert args.steps == ['knn', 'mhead', 'svm']
