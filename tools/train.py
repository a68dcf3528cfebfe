"""MMSelfSup's ``python tools/train.py CONFIG [args]``.

A thin wrapper: mmpretrain's own ``tools/train.py`` runs with ``mmssl_ext``
imported first and MMSelfSup's flags translated (``--resume-from``,
``--seed``, ``--deterministic``, ``model.pretrained``, ...), in this process's
launcher (``--launcher none`` by default; ``pytorch`` under
``torch.distributed.launch``). See tools/misc/launch.py and
docs/launchers.md.
"""
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.realpath(__file__)), 'misc'))
from launch import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main(['py-train'] + sys.argv[1:]))
