"""Run mmpretrain's ``publish_model`` on a checkpoint trained with mmssl_ext.

The upstream tool reads its input with a bare ``torch.load``, i.e. torch's
``weights_only=True`` reader, which refuses the message hub state of every
mmengine checkpoint. This wrapper reads IN.pth with mmssl_ext's safe loader,
drops the training state that publish_model removes anyway (optimizer,
param_schedulers, hook_msgs, message_hub), hands that to the upstream tool
unchanged and removes the intermediate file::

    python tools/model_converters/publish_model.py IN.pth OUT.pth

For transfer to mmdet/mmseg use extract_backbone_weights.py instead (plain
tensors, loadable without mmssl_ext).
"""
import os
import os.path as osp
import runpy
import sys
import tempfile

#: the keys upstream's process_checkpoint pops before publishing
DROPPED = ('optimizer', 'param_schedulers', 'hook_msgs', 'message_hub')


def main(argv=None) -> None:
    import mmpretrain
    import numpy as np
    import torch

    from mmssl_ext.compat.checkpoint import load_checkpoint_file
    tool = osp.join(osp.dirname(mmpretrain.__file__), '.mim', 'tools',
                    'model_converters', 'publish_model.py')
    if not osp.isfile(tool):
        raise FileNotFoundError(
            f'{tool} is missing: install mmpretrain from PyPI, which ships '
            f'its tools.')
    argv = list(sys.argv[1:] if argv is None else argv)
    positional = [i for i, a in enumerate(argv) if not a.startswith('-')]
    if len(positional) < 2:
        sys.argv = ['publish_model.py', *argv]
        runpy.run_path(tool, run_name='__main__')  # upstream's usage error
        return
    in_file, out_file = argv[positional[0]], argv[positional[1]]
    ckpt = load_checkpoint_file(in_file, map_location='cpu')
    if isinstance(ckpt, dict):
        for key in DROPPED:
            ckpt.pop(key, None)
    fd, tmp = tempfile.mkstemp(suffix='.pth', prefix='.publish_input_',
                               dir=osp.dirname(osp.abspath(out_file)))
    os.close(fd)
    try:
        torch.save(ckpt, tmp)
        argv[positional[0]] = tmp
        sys.argv = ['publish_model.py', *argv]
        reconstruct, scalar = (np.zeros(1).__reduce__()[0],
                               np.float64(0).__reduce__()[0])
        # numpy scalars in meta (e.g. a best score) for torch's own reader,
        # which checks the dtype's class (numpy.dtypes.Float64DType, ...)
        dtype_classes = {type(np.dtype(code)) for code in '?bhilqBHILQefdFD'}
        with torch.serialization.safe_globals(
                [np.dtype, np.ndarray, reconstruct, scalar, *dtype_classes]):
            runpy.run_path(tool, run_name='__main__')
    finally:
        os.remove(tmp)


if __name__ == '__main__':
    main()
