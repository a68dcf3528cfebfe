"""Run mmpretrain's ``browse_dataset`` tool on one of our configs.

mmpretrain 1.2.0's ``tools/visualization/browse_dataset.py`` passes
``cfg.visualizer`` as keyword arguments to ``UniversalVisualizer``; a config
that inherits ``mmpretrain::_base_/default_runtime.py`` (all of ours) carries a
``_scope_`` key there and the tool fails with ``unexpected keyword argument
'_scope_'``. This wrapper imports ``mmssl_ext``, writes a copy of the config
without that key and runs the upstream tool on it with the same arguments.

The upstream tool also calls ``matplotlib._tight_bbox.adjust_bbox(fig,
bbox)``, the matplotlib 3.5-3.7 signature; newer matplotlib (3.8+, the
lock pins 3.11) requires a ``renderer`` argument and the tool crashes with
``adjust_bbox() missing 1 required positional argument: 'renderer'``. While
the tool runs, ``adjust_bbox`` takes the figure's own renderer when none is
given (only where the installed matplotlib requires it)::

    python tools/misc/browse_dataset.py CONFIG -o work_dirs/browse -n 8 \
        --not-show -m transformed
"""
import contextlib
import inspect
import os
import os.path as osp
import runpy
import sys
import tempfile


def upstream_tool(name: str) -> str:
    import mmpretrain
    path = osp.join(osp.dirname(mmpretrain.__file__), '.mim', 'tools', name)
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{path} is missing: mmpretrain must be installed from PyPI '
            f'(pip install mmpretrain==1.2.0), which ships its tools.')
    return path


@contextlib.contextmanager
def adjust_bbox_default_renderer():
    """Let ``adjust_bbox(fig, bbox)`` work where matplotlib requires the
    renderer argument (restored on exit)."""
    try:
        import matplotlib._tight_bbox as tight_bbox
    except ImportError:  # matplotlib < 3.6: the old signature
        yield
        return
    original = tight_bbox.adjust_bbox
    renderer = inspect.signature(original).parameters.get('renderer')
    if renderer is None or renderer.default is not inspect.Parameter.empty:
        yield
        return

    def adjust_bbox(fig, bbox_inches, renderer=None, fixed_dpi=None):
        if renderer is None:
            renderer = fig.canvas.get_renderer()
        return original(fig, bbox_inches, renderer, fixed_dpi)

    tight_bbox.adjust_bbox = adjust_bbox
    try:
        yield
    finally:
        tight_bbox.adjust_bbox = original


def main(argv=None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith('-'):
        sys.argv = ['browse_dataset.py', '--help']
        runpy.run_path(upstream_tool('visualization/browse_dataset.py'),
                       run_name='__main__')
        return
    import mmssl_ext  # noqa: F401
    from mmengine.config import Config
    cfg = Config.fromfile(argv[0])
    vis = cfg.get('visualizer')
    if vis is not None:
        vis.pop('_scope_', None)
    with tempfile.TemporaryDirectory() as tmp:
        fixed = osp.join(tmp, osp.basename(argv[0]))
        cfg.dump(fixed)
        sys.argv = ['browse_dataset.py', fixed, *argv[1:]]
        cwd = os.getcwd()
        try:
            with adjust_bbox_default_renderer():
                runpy.run_path(
                    upstream_tool('visualization/browse_dataset.py'),
                    run_name='__main__')
        finally:
            os.chdir(cwd)


if __name__ == '__main__':
    main()
