"""MMSelfSup's ``python tools/test.py CONFIG CHECKPOINT [args]``: as
tools/train.py, for mmpretrain's test.py."""
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.realpath(__file__)), 'misc'))
from launch import main  # noqa: E402

if __name__ == '__main__':
    sys.exit(main(['py-test'] + sys.argv[1:]))
