"""Fenced blocks of README.md and docs/*.md, and the shell runner the
docs-as-tests use.

A block is identified by ``'<file>#<hash>'``: the file relative to the
repository root and the first 8 hex digits of the SHA-1 of its dedented text.
Editing a block changes its key, so the registry (tests/test_docs/registry.py)
no longer matches and tests/test_docs/test_registry.py fails until someone
registers the new text with the test that runs it. Tests that execute a block
take its text from the document through :func:`blocks_for`, never from a copy.
"""
import hashlib
import os
import os.path as osp
import re
import shlex
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from tests.helpers import REPO_ROOT

#: The documents whose fenced blocks must all be registered.
DOC_GLOBS = ('README.md', 'docs/*.md')

_FENCE = re.compile(r'^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)(?P<lang>[^`]*)$')
_MARKER = re.compile(r'<!--\s*snippet:\s*(?P<name>[\w.-]+)\s*-->')


@dataclass(frozen=True)
class Block:
    """One fenced block of a document."""
    path: str        # relative to the repository root
    line: int        # 1-based line of the opening fence
    lang: str        # info string after the fence ('' if none)
    text: str        # dedented content, without the fences
    marker: Optional[str] = None   # `<!-- snippet: NAME -->` just above

    @property
    def digest(self) -> str:
        return hashlib.sha1(self.text.encode()).hexdigest()[:8]

    @property
    def key(self) -> str:
        return f'{self.path}#{self.digest}'

    def where(self) -> str:
        name = f' "{self.marker}"' if self.marker else ''
        return f'{self.path} line {self.line} (```{self.lang}{name})'


def doc_files() -> List[str]:
    import glob
    out = []
    for pattern in DOC_GLOBS:
        out += sorted(glob.glob(osp.join(REPO_ROOT, pattern)))
    return [osp.relpath(p, REPO_ROOT) for p in out]


def parse_blocks(path: str, text: str) -> List[Block]:
    """Every fenced block of ``text`` (the content of ``path``), in order.

    An unterminated fence is an error (a half-written block would otherwise
    swallow the rest of the document silently).
    """
    lines = text.splitlines()
    blocks, i = [], 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, start = m.group('fence'), i
        marker = None
        j = start - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j >= 0:
            mm = _MARKER.search(lines[j])
            marker = mm.group('name') if mm else None
        i += 1
        body = []
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise ValueError(f'{path} line {start + 1}: the fenced block '
                             f'opened with {fence} is never closed')
        content = textwrap.dedent('\n'.join(body)).strip('\n') + '\n'
        content = '\n'.join(l.rstrip() for l in content.splitlines()) + '\n'
        blocks.append(Block(path, start + 1, m.group('lang').strip(), content,
                            marker))
        i += 1
    return blocks


def all_blocks() -> List[Block]:
    out = []
    for rel in doc_files():
        with open(osp.join(REPO_ROOT, rel), encoding='utf-8') as f:
            out += parse_blocks(rel, f.read())
    return out


def blocks_for(nodeid_or_request, registry=None) -> List[Block]:
    """The blocks the registry assigns to a test, in document order.

    Pass pytest's ``request`` fixture (or a test id
    ``'tests/test_docs/x.py::test_y'``). A test that runs blocks must find at
    least one: if it finds none, the registry and the test disagree.
    """
    if registry is None:
        from tests.test_docs.registry import SNIPPETS as registry
    node = getattr(nodeid_or_request, 'node', None)
    if node is not None:   # pytest's request: independent of the rootdir
        test_id = (osp.relpath(str(node.path), REPO_ROOT) + '::'
                   + node.originalname)
    else:
        test_id = nodeid_or_request.split('[')[0]
    by_key = {b.key: b for b in all_blocks()}
    out = [by_key[k] for k, e in registry.items()
           if e.test == test_id and k in by_key]
    assert out, (f'no registered block names {test_id} as its test: see '
                 'tests/test_docs/registry.py')
    return sorted(out, key=lambda b: (b.path, b.line))


# --------------------------------------------------------------------------
# Shell blocks: the commands, the visible rewrites, the sandbox they run in.

def shell_commands(text: str) -> List[str]:
    """The commands of a bash block: continuation lines joined, comments and
    blank lines dropped (a trailing ``# comment`` is removed only when it
    follows whitespace outside quotes, as bash does)."""
    joined, cur = [], ''
    for line in text.splitlines():
        if line.rstrip().endswith('\\'):
            cur += line.rstrip()[:-1] + ' '
            continue
        joined.append(cur + line)
        cur = ''
    if cur:
        joined.append(cur)
    cmds = []
    for line in joined:
        line = _strip_comment(line).strip()
        if line:
            cmds.append(' '.join(line.split()))
    return cmds


def _strip_comment(line: str) -> str:
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in '\'"':
            quote = ch
        elif ch == '#' and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


@dataclass
class Rewrite:
    """A documented substitution applied to a command before it runs."""
    pattern: str                     # regular expression
    repl: 'str | Callable'           # replacement (re.sub semantics)
    why: str                         # printed with the command

    def apply(self, cmd: str) -> Tuple[str, bool]:
        new = re.sub(self.pattern, self.repl, cmd)
        return new, new != cmd


def tiny_config(match: 're.Match') -> str:
    """``configs/.../X.py`` -> ``configs/.../X_tiny-cpu.py`` (must exist)."""
    path = match.group(0)
    tiny = path[:-3] + '_tiny-cpu.py'
    assert osp.isfile(osp.join(REPO_ROOT, tiny)), (
        f'{path} has no CPU-sized sibling {tiny}: add one (same recipe, tiny '
        'sizes) so the documented command can run in the tests')
    return tiny


#: Rewrites shared by the docs tests; each test lists the ones it uses.
DROP_GPUS = Rewrite(r'\s--gpus \d+ --launcher pytorch\b', '',
                    '--gpus N --launcher pytorch dropped: one CPU process')
TINY_CONFIG = Rewrite(r'configs/\S+?(?<!_tiny-cpu)\.py', tiny_config,
                      'config -> its CPU-sized _tiny-cpu.py sibling')


def make_sandbox(root: str) -> str:
    """A working directory that looks like the repository root to the
    documented commands: configs/, tools/, benchmarks/ and mmssl_ext/ are
    links to the checkout; data/ and work_dirs/ are fresh folders."""
    os.makedirs(root, exist_ok=True)
    for name in ('configs', 'tools', 'benchmarks', 'mmssl_ext',
                 'requirements', 'Makefile', 'setup.py'):
        dst = osp.join(root, name)
        if not osp.lexists(dst):
            os.symlink(osp.join(REPO_ROOT, name), dst)
    for name in ('data', 'work_dirs'):
        os.makedirs(osp.join(root, name), exist_ok=True)
    return root


def sandbox_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The environment of a documented command: this Python's bin folder
    first on PATH (``python``, ``mim``), the checkout on PYTHONPATH."""
    env = dict(os.environ)
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    env['PYTHONPATH'] = REPO_ROOT + (
        os.pathsep + env['PYTHONPATH'] if env.get('PYTHONPATH') else '')
    env.setdefault('OMP_NUM_THREADS', '2')
    env.update(extra or {})
    return env


def run_block(block: Block, cwd: str, rewrites: Sequence[Rewrite] = (),
              env: Optional[Dict[str, str]] = None, timeout: float = 600,
              log: Callable[[str], None] = print
              ) -> List[subprocess.CompletedProcess]:
    """Run every command of a shell block with bash in ``cwd``, after the
    given rewrites; print each command as documented and as run, and fail
    with both and the output's tail if one fails."""
    procs = []
    for cmd in shell_commands(block.text):
        run, why = cmd, []
        for rw in rewrites:
            run, changed = rw.apply(run)
            if changed:
                why.append(rw.why)
        log(f'[{block.where()}]\n  documented: {cmd}\n  runs:       {run}'
            + ''.join(f'\n  ({w})' for w in why))
        proc = subprocess.run(['bash', '-c', 'set -eo pipefail; ' + run],
                              cwd=cwd, env=env or sandbox_env(),
                              capture_output=True, text=True, timeout=timeout)
        assert proc.returncode == 0, (
            f'documented command failed ({proc.returncode}) in '
            f'{block.where()}:\n  {cmd}\nran as:\n  {run}\n'
            f'--- stdout ---\n{proc.stdout[-4000:]}\n'
            f'--- stderr ---\n{proc.stderr[-4000:]}')
        procs.append(proc)
    return procs


def split_args(cmd: str) -> List[str]:
    return shlex.split(cmd)


def main() -> None:
    """``python -m tests.test_docs.snippets``: every block with its key and
    its registry entry (or the line to add)."""
    from tests.test_docs.registry import SNIPPETS
    for b in all_blocks():
        entry = SNIPPETS.get(b.key)
        state = (f'{entry.kind}: {entry.test or entry.note}' if entry else
                 'NOT REGISTERED')
        first = b.text.splitlines()[0] if b.text.strip() else ''
        print(f'{b.key}  {b.where()}  [{state}]\n    {first[:90]}')


if __name__ == '__main__':
    main()


# --------------------------------------------------------------------------
# Synopsis blocks: `bash script.sh CONFIG PRETRAIN [...]` against the
# script's own usage line.

def _expand_braces(token: str) -> List[str]:
    m = re.search(r'\{([^{}]*,[^{}]*)\}', token)
    if not m:
        return [token]
    return [x for alt in m.group(1).split(',')
            for x in _expand_braces(token[:m.start()] + alt + token[m.end():])]


def synopsis_calls(text: str) -> List[Tuple[str, List[str], bool]]:
    """``(script, positional arguments, open_ended)`` for every ``*.sh`` call
    of a block; ``open_ended`` when the block writes ``...`` among them."""
    calls = []
    for cmd in shell_commands(text):
        tokens = shlex.split(cmd)
        idx = [i for i, t in enumerate(tokens) if re.search(r'\.sh$', t)]
        if not idx:
            continue
        args, open_ended = [], False
        for t in tokens[idx[0] + 1:]:
            if t == '...':
                open_ended = True
                break
            if t.startswith(('[', '-', '#')):
                break
            args.append(t)
        for script in _expand_braces(tokens[idx[0]]):
            calls.append((script, args, open_ended))
    return calls


def usage_arity(script: str) -> Tuple[str, int, Optional[int]]:
    """Run ``bash script`` without arguments: it must exit non-zero with a
    ``usage:`` line; returns (line, required positionals, maximum or None
    when it takes open-ended extra arguments)."""
    proc = subprocess.run(['bash', osp.join(REPO_ROOT, script)],
                          capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)
    line = next((l for l in proc.stderr.splitlines()
                 if l.lower().startswith('usage')), None)
    assert proc.returncode != 0 and line, (
        f'bash {script} without arguments must print a usage line and fail; '
        f'got rc {proc.returncode}, stderr {proc.stderr[-500:]!r}')
    words = line.split()[1:]
    # after "usage:", optional environment settings ("[GPUS=8]") and the
    # script path
    while words and not words[0].endswith('.sh'):
        words = words[1:]
    words = words[1:]
    required = 0
    while required < len(words) and not words[required].startswith('['):
        required += 1
    maximum = required
    for w in words[required:]:
        inner = w.strip('[]"')
        if re.fullmatch(r'[A-Z_]+', inner) and w.startswith('['):
            maximum += 1
        else:
            return line, required, None
    return line, required, maximum


def synopsis_problems(text: str) -> List[str]:
    """Every script call of a synopsis block that its script's usage line
    does not accept (missing script, too few or too many arguments)."""
    problems = []
    for script, args, open_ended in synopsis_calls(text):
        if not osp.isfile(osp.join(REPO_ROOT, script)):
            problems.append(f'{script}: no such script')
            continue
        line, required, maximum = usage_arity(script)
        n = len(args)
        if (not open_ended and n < required) or (
                maximum is not None and n > maximum):
            problems.append(f'{script} {" ".join(args)}: {n} arguments, '
                            f'but the script says {line!r}')
    return problems
