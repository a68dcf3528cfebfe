"""README.md blocks run as written (with the rewrites each test names).
Blocks that other tests already run are registered to those tests in
tests/test_docs/registry.py."""
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from tests.helpers import REPO_ROOT
from tests.test_docs.snippets import (Rewrite, blocks_for, make_sandbox,
                                      run_block, sandbox_env, shell_commands,
                                      synopsis_calls, synopsis_problems)


def test_custom_imports_line_loads_the_plugin(request, tmp_path):
    """The one line a config needs: parsed as a config, its import makes
    every mmssl_ext module buildable from mmpretrain's registries."""
    block, = blocks_for(request)
    cfg_file = tmp_path / 'cfg.py'
    cfg_file.write_text(block.text)
    code = ('import sys\n'
            'from mmengine.config import Config\n'
            'from mmpretrain.registry import HOOKS, MODELS\n'
            'assert "mmssl_ext" not in sys.modules\n'
            'cfg = Config.fromfile(sys.argv[1])  # runs custom_imports\n'
            'assert cfg.custom_imports.imports == ["mmssl_ext"]\n'
            'assert "mmssl_ext" in sys.modules\n'
            'assert MODELS.get("NPID") and HOOKS.get("DeepClusterHook")\n')
    # a fresh interpreter: this one may have imported mmssl_ext already
    proc = subprocess.run([sys.executable, '-c', code, str(cfg_file)],
                          env=sandbox_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_own_config_lines_parse_and_build(request, tmp_path):
    """"Using mmssl_ext in your own config": the lines, with the `...` of
    `dict(type='MomentumUpdateHook', ...)` left out (it stands for the
    hook's arguments), inherit mmpretrain's MoCo v2 config, and every
    custom hook type is one of ours."""
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import HOOKS
    import mmssl_ext  # noqa: F401
    block, = blocks_for(request)
    text = block.text.replace(', ...)', ')')
    assert '...' not in text
    (tmp_path / 'cfg.py').write_text(text)
    cfg = Config.fromfile(str(tmp_path / 'cfg.py'))
    assert cfg.model.type == 'MoCo' and cfg.default_scope == 'mmpretrain'
    assert cfg.custom_imports.imports == ['mmssl_ext']
    init_default_scope('mmpretrain')
    for hook in cfg.custom_hooks:
        assert HOOKS.get(hook['type']).__module__.startswith('mmssl_ext')
        HOOKS.build(hook)


def test_make_targets_dry_run(request):
    """`make demo` / `make test`: run as `make -n` (the demo takes 10 min and
    `make test` is this suite; tests/test_demo.py runs the demo's path at toy
    size). The dry run shows the demo script and pytest as the last steps."""
    block, = blocks_for(request)
    dry = Rewrite(r'^make (\w+)', r'make -n \1',
                  'make -n: print the recipe, run nothing')
    out = {}
    for proc, cmd in zip(run_block(block, REPO_ROOT, [dry]),
                         shell_commands(block.text)):
        out[cmd.split()[1]] = proc.stdout
    assert 'tools/demo.py' in out['demo'] and '--smoke' not in out['demo']
    assert '-m pytest tests' in out['test']


def test_launcher_synopsis(request):
    """The multi-GPU block is a synopsis (CONFIG, PARTITION, [...]): every
    script it names exists and accepts that many positional arguments by
    its own usage line (snippets.synopsis_problems); the optional flags it
    lists are the ones the launchers translate (tools/misc/seed_args.py); the mim line's config exists and parses.
    Multi-process runs of the launchers are tested in tests/test_tools and
    tests/test_engine."""
    block, = blocks_for(request)
    sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'misc'))
    from seed_args import translate
    scripts = {s for s, _, _ in synopsis_calls(block.text)}
    assert scripts == {'tools/dist_train.sh', 'tools/slurm_train.sh',
                       'tools/dist_test.sh'}
    problems = synopsis_problems(block.text)
    assert not problems, '\n'.join(problems)
    flags = ['--work-dir', 'w', '--resume-from', 'c.pth', '--deterministic',
             '--seed', '3']
    for flag in ('--work-dir', '--resume-from', '--deterministic', '--seed'):
        assert flag in block.text
    out = translate(flags)
    assert 'randomness.seed=3' in out and 'randomness.deterministic=True' in out
    assert '--resume' in out and 'c.pth' in out and '--resume-from' not in out
    mim = [c for c in shell_commands(block.text) if c.startswith('mim train')]
    assert len(mim) == 1
    cfg = Config.fromfile(osp.join(REPO_ROOT, mim[0].split()[3]))
    assert cfg.model.type == 'ODC'


def test_data_converter_commands(request, tmp_path):
    """Both converter commands in a sandbox; the optional arguments in
    brackets become `--limit-train 30 --limit-test 10` (the full
    Fashion-MNIST is 70k PNGs). digits runs in full (1,797 images)."""
    from mmssl_ext.datasets.sources import FASHION_MNIST_DEBIAN_DIR
    if not osp.isdir(FASHION_MNIST_DEBIAN_DIR):
        pytest.skip('Fashion-MNIST is not installed: '
                    '`apt-get install dataset-fashion-mnist` (make setup does).')
    block, = blocks_for(request)
    root = make_sandbox(str(tmp_path))
    limits = Rewrite(r' \[--source IDX_DIR\] \[--limit-train N\] '
                     r'\[--limit-test N\]', ' --limit-train 30 --limit-test 10',
                     'optional arguments: the limits set to 30 / 10 images')
    run_block(block, root, [limits])
    for name, n_train in (('fashion_mnist', 30), ('digits', None)):
        meta = osp.join(root, 'data', name, 'meta')
        train = open(osp.join(meta, 'train.txt')).read().splitlines()
        if n_train:
            assert len(train) == n_train
        assert osp.isfile(osp.join(meta, 'test.txt'))
        assert osp.isfile(osp.join(meta, 'unlabeled.txt'))
        first = train[0].split()[0]
        assert osp.isfile(osp.join(root, 'data', name, first))
