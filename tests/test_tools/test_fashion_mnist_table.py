"""benchmarks/classification/fashion_mnist_table.py: the parts that are not
the benchmarks themselves (those have their own tests, and the shared
helpers theirs in tests/test_benchmarks/test_run_utils.py): caching of
finished steps, the table."""
import json

import pytest

from tests.test_tools._load_tool import load_tool


@pytest.fixture(scope='module')
def tool():
    return load_tool('../benchmarks/classification/fashion_mnist_table.py')


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
            json.dumps(dict(res, checkpoint=None)))
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
