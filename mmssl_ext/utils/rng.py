"""Snapshots of every global random generator (Python, numpy, torch CPU and
CUDA) as checkpointable tensors and numbers, and a context that leaves them
as it found them."""
import contextlib
import logging
import random
from typing import Iterator

import numpy as np
import torch
from mmengine.logging import print_log


def get_rng_state() -> dict:
    """The state of Python's, numpy's and torch's (CPU and every CUDA device)
    global generators, as tensors and numbers (loads with
    ``weights_only=True``)."""
    version, keys, gauss = random.getstate()
    np_name, np_keys, np_pos, np_has_gauss, np_gauss = np.random.get_state()
    state = dict(
        python=dict(version=version, keys=torch.tensor(keys, dtype=torch.long),
                    gauss=gauss),
        numpy=dict(name=np_name,
                   keys=torch.from_numpy(np_keys.astype(np.int64)),
                   pos=int(np_pos), has_gauss=int(np_has_gauss),
                   gauss=float(np_gauss)),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    """Inverse of :func:`get_rng_state`."""
    py = state['python']
    random.setstate((py['version'], tuple(py['keys'].tolist()), py['gauss']))
    npy = state['numpy']
    np.random.set_state((npy['name'], npy['keys'].numpy().astype(np.uint32),
                         npy['pos'], npy['has_gauss'], npy['gauss']))
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        cuda = state['cuda']
        if len(cuda) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(cuda)
        else:
            print_log(
                f'RNGStateHook: the checkpoint holds the states of {len(cuda)} '
                f'CUDA devices, this process sees '
                f'{torch.cuda.device_count()}; CUDA generators keep their '
                f'seeds.', logger='current', level=logging.WARNING)


@contextlib.contextmanager
def preserved_rng_state() -> Iterator[None]:
    """Run a block (e.g. an evaluation during training) without changing any
    global generator: the states are put back when it ends."""
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
