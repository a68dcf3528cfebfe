"""2-process gloo run of extract_features (tests/test_evaluation/
test_feature_extractor.py): each rank saves WORK_DIR/rank{r}.pth with what
it got for round-up shards, uneven shards and ``everywhere=True``."""
import sys

import torch
import torch.distributed as dist

import mmssl_ext  # noqa: F401
from mmssl_ext.evaluation import feature_extractor as fe
from tests.test_evaluation.test_feature_extractor import (_Images, _loader,
                                                          _tiny_model)


def main():
    work_dir = sys.argv[1]
    dist.init_process_group('gloo')
    model = _tiny_model()
    model.load_state_dict(torch.load(f'{work_dir}/model.pth'))
    dataset = _Images()
    out = dict(
        round_up=fe.extract_features(model, _loader(dataset, round_up=True),
                                     chunk_bytes=1),
        uneven=fe.extract_features(model, _loader(dataset, round_up=False),
                                   chunk_bytes=1),
        everywhere=fe.extract_features(
            model, _loader(dataset, batch_size=3, round_up=False),
            everywhere=True))
    torch.save(out, f'{work_dir}/rank{dist.get_rank()}.pth')
    dist.destroy_process_group()


if __name__ == '__main__':
    main()
