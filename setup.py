"""mmssl_ext: classic self-supervised learning methods and benchmarks as an
mmpretrain plugin. See README.md."""
import os.path as osp

from setuptools import find_packages, setup


def read_version():
    scope = {}
    with open(osp.join(osp.dirname(__file__), 'mmssl_ext', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def read_requirements(name):
    """Requirement lines of requirements/{name}.txt, comments dropped."""
    path = osp.join(osp.dirname(__file__), 'requirements', f'{name}.txt')
    with open(path) as f:
        lines = [line.split('#')[0].strip() for line in f]
    return [line for line in lines if line]


setup(
    name='mmssl_ext',
    version=read_version(),
    description='DeepCluster, ODC, NPID, RelativeLoc, RotationPred and the '
                'classic self-supervised benchmarks for mmpretrain',
    long_description=open('README.md').read() if osp.isfile('README.md') else '',
    long_description_content_type='text/markdown',
    python_requires='>=3.10',
    packages=find_packages(include=['mmssl_ext', 'mmssl_ext.*']),
    # Compatible ranges (requirements/runtime.txt); the exact tested set is
    # requirements/lock.txt, a constraints file that `make setup` uses.
    #
    # mmcv is deliberately absent: mmcv-lite and a full mmcv build (and
    # onedl-mmcv) provide the same `mmcv` package under different
    # distribution names, so pip would install one on top of another. The
    # setup installs one (requirements/mmcv-lite.txt, `make mmcv-full`) and
    # `import mmssl_ext` checks the version it finds
    # (mmssl_ext/compat/mmcv_check.py).
    install_requires=read_requirements('runtime'),
    extras_require={
        'faiss': read_requirements('faiss'),
        'mim': read_requirements('mim'),
        'tests': read_requirements('tests'),
        'transfer': read_requirements('transfer'),
        'all': (read_requirements('faiss') + read_requirements('mim') +
                read_requirements('transfer')),
    },
    license='Apache License 2.0',
    zip_safe=False,
)
