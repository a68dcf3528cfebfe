"""docs/batched_augmentation.md: the complete example config, as written."""
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmssl_ext  # noqa: F401
from mmpretrain.registry import MODELS
from tests.test_docs.snippets import blocks_for


def test_complete_example_config(request, tmp_path):
    """The example parses on top of mmpretrain's SimCLR config; its
    preprocessor builds and makes SimCLR's two views of a batch; the
    dataloader only decodes and resizes."""
    block, = blocks_for(request)
    (tmp_path / 'cfg.py').write_text(block.text)
    cfg = Config.fromfile(str(tmp_path / 'cfg.py'))
    assert cfg.model.type == 'SimCLR'
    assert [t['type'] for t in cfg.train_dataloader.dataset.pipeline] == [
        'LoadImageFromFile', 'Resize', 'PackInputs']
    init_default_scope('mmpretrain')
    pre = MODELS.build(cfg.data_preprocessor)
    assert type(pre).__name__ == 'BatchedAugDataPreprocessor'
    x = torch.randint(0, 256, (2, 3, 64, 64), dtype=torch.uint8)
    views = pre(dict(inputs=x, data_samples=None), True)['inputs']
    assert len(views) == 2
    assert all(v.shape == (2, 3, 224, 224) for v in views)
