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
    # mmcv is deliberately absent: mmcv-lite and a full mmcv build provide the
    # same package, so the setup installs one of them from
    # requirements/mmcv-lite.txt (or `make mmcv-full`) and mmssl_ext checks at
    # import time that an mmcv 2.1.x is present.
    install_requires=read_requirements('runtime'),
    extras_require={
        'tests': read_requirements('tests'),
        'transfer': read_requirements('transfer'),
    },
    license='Apache License 2.0',
    zip_safe=False,
)
