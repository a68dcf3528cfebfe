"""Run mmpretrain's ``publish_model`` on a checkpoint trained with mmssl_ext.

The upstream tool calls ``torch.load`` with torch's ``weights_only=True``
default and without ``mmssl_ext``'s allowlist, so it cannot read mmengine
checkpoints (message hub state). This wrapper imports ``mmssl_ext`` (which
registers exactly the needed types) and runs the upstream tool unchanged::

    python tools/model_converters/publish_model.py IN.pth OUT.pth

For transfer to mmdet/mmseg use extract_backbone_weights.py instead (plain
tensors, loadable without mmssl_ext).
"""
import os.path as osp
import runpy
import sys


def main(argv=None) -> None:
    import mmpretrain

    import mmssl_ext  # noqa: F401  (allowlists mmengine checkpoint types)
    tool = osp.join(osp.dirname(mmpretrain.__file__), '.mim', 'tools',
                    'model_converters', 'publish_model.py')
    if not osp.isfile(tool):
        raise FileNotFoundError(
            f'{tool} is missing: install mmpretrain from PyPI, which ships '
            f'its tools.')
    sys.argv = ['publish_model.py',
                *(sys.argv[1:] if argv is None else argv)]
    runpy.run_path(tool, run_name='__main__')


if __name__ == '__main__':
    main()
