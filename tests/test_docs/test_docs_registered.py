"""Docs as tests: every fenced block of README.md and docs/*.md is registered
in tests/test_docs/registry.py with the test that runs it (or the reason it
is not a command), keyed by a hash of its text, so that editing a block
without looking at its test fails here."""
import ast
import os.path as osp

import pytest

from tests.helpers import REPO_ROOT
from tests.test_docs.registry import KINDS, SNIPPETS
from tests.test_docs.snippets import all_blocks, parse_blocks

REGISTRY = 'tests/test_docs/registry.py'


def _suggestion(block):
    return (f"    '{block.key}': run('tests/test_docs/test_<doc>.py::"
            "test_<what>'),  # or covered(...), synopsis(...), "
            "not_command('<why>')")


def test_every_block_is_registered_and_no_entry_is_stale():
    blocks = all_blocks()
    keys = {b.key for b in blocks}
    unregistered = [b for b in blocks if b.key not in SNIPPETS]
    stale = [k for k in SNIPPETS if k not in keys]
    if not unregistered and not stale:
        return
    msg = []
    for b in unregistered:
        old = [k for k in stale if k.split('#')[0] == b.path]
        msg.append(
            f'{b.where()} is not registered (key {b.key!r}). Its first '
            f'line: {b.text.splitlines()[0] if b.text.strip() else ""!r}\n'
            f'  Register it with one line in {REGISTRY} (`python -m '
            f'tests.test_docs.snippets` lists every block and its key):\n'
            f'{_suggestion(b)}\n'
            + (f'  If you edited a registered block, the old key of this '
               f'file is {", ".join(map(repr, old))}: rename that entry to '
               f'{b.key!r} and check that its test still runs the new text.'
               if old else ''))
    for k in stale:
        if not any(b.path == k.split('#')[0] for b in unregistered):
            msg.append(f'{REGISTRY}: entry {k!r} matches no block any more '
                       '(block edited or removed): update or delete it.')
    pytest.fail('\n\n'.join(msg), pytrace=False)


def _test_functions(path):
    tree = ast.parse(open(path).read())
    return {n.name for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


@pytest.mark.parametrize('key', sorted(SNIPPETS))
def test_entry_names_an_existing_test(key):
    entry = SNIPPETS[key]
    assert entry.kind in KINDS, f'{key}: kind {entry.kind!r} not in {KINDS}'
    if entry.kind == 'not-a-command':
        assert entry.test is None and entry.note, (
            f'{key}: not_command() needs a reason and no test')
        return
    assert entry.note or entry.kind == 'run', (
        f'{key}: {entry.kind}() needs a note saying what the test runs '
        'instead of the block text')
    path, _, func = entry.test.partition('::')
    full = osp.join(REPO_ROOT, path)
    assert osp.isfile(full), f'{key}: test file {path} does not exist'
    assert func in _test_functions(full), (
        f'{key}: {path} has no test function {func!r}')
    if entry.kind == 'run':
        src = open(full).read()
        doc = key.split('#')[0]
        assert 'blocks_for(' in src or osp.basename(doc) in src, (
            f'{key}: run() means {entry.test} executes the text of the '
            f'block; it neither calls blocks_for() nor reads {doc}')


def test_parser_keys_change_with_text_and_not_with_indentation():
    a = parse_blocks('x.md', 'intro\n```bash\necho 1\n```\n')
    b = parse_blocks('x.md', '* item\n\n  ```bash\n  echo 1\n  ```\n')
    c = parse_blocks('x.md', '```bash\necho 2\n```\n')
    assert a[0].key == b[0].key != c[0].key
    assert a[0].line == 2 and a[0].lang == 'bash' and a[0].text == 'echo 1\n'
    marked = parse_blocks('x.md', '<!-- snippet: a-b -->\n```text\nz\n```\n')
    assert marked[0].marker == 'a-b'
    with pytest.raises(ValueError, match='line 1.*never closed'):
        parse_blocks('x.md', '```bash\necho\n')


def test_unregistered_block_message_names_file_line_and_fix(monkeypatch):
    import tests.test_docs.test_docs_registered as mod
    fake = parse_blocks('docs/new.md', 'a\n```bash\nmake new\n```\n')
    monkeypatch.setattr(mod, 'all_blocks', lambda: fake)
    monkeypatch.setattr(mod, 'SNIPPETS', {'docs/new.md#00000000': None})
    with pytest.raises(pytest.fail.Exception) as info:
        mod.test_every_block_is_registered_and_no_entry_is_stale()
    msg = str(info.value)
    assert 'docs/new.md line 2 (```bash) is not registered' in msg
    assert f"'{fake[0].key}': run(" in msg
    assert "old key of this file is 'docs/new.md#00000000'" in msg


def test_synopsis_check_catches_argument_drift():
    """A documented launcher call with an argument missing (what happens
    when a launcher gains JOB_NAME and the docs do not) is reported."""
    from tests.test_docs.snippets import synopsis_calls, synopsis_problems
    good = 'GPUS=16 bash tools/slurm_train.sh PARTITION JOB CONFIG WORK [args]'
    bad = ('bash benchmarks/classification/slurm_train_linear.sh PARTITION '
           'CONFIG PRETRAIN  # old order')
    assert synopsis_problems(good) == []
    problems = synopsis_problems(bad)
    assert len(problems) == 1 and '3 arguments' in problems[0]
    assert 'PARTITION JOB_NAME CONFIG PRETRAIN' in problems[0]
    assert synopsis_problems('bash tools/nope.sh X') == [
        'tools/nope.sh: no such script']
    calls = synopsis_calls('bash a/b_{x,y}.sh P ... \nbash c.sh A "f 5" --k')
    assert calls == [('a/b_x.sh', ['P'], True), ('a/b_y.sh', ['P'], True),
                     ('c.sh', ['A', 'f 5'], False)]
