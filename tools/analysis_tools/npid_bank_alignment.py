"""How well an NPID checkpoint's memory bank matches its network.

For ``--num-samples`` training images (seeded choice) it computes the current
L2-normalised feature ``f_i`` (eval mode, the config's training pipeline) and
prints the mean cosine of ``f_i`` with its own bank row (the positive of the
non-parametric softmax), with ``--num-negatives`` uniformly drawn rows, and
with the best of them, plus the loss those logits give. Early in training the
positive is no better than a random row (the bank still holds the random
initialisation or features of a much older network): this is why NPID can be
below random init after one epoch.

    python tools/analysis_tools/npid_bank_alignment.py \\
        configs/npid/npid_resnet18-cifar-w16_1xb64-steplr-2e_fashion-mnist.py \\
        work_dirs/npid/epoch_1.pth
"""
import argparse
import random

import torch
import torch.nn.functional as F
from mmengine.config import DictAction


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint')
    p.add_argument('--num-samples', type=int, default=128)
    p.add_argument('--num-negatives', type=int, default=4096)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='key=value overrides, e.g. '
                   'train_dataloader.dataset.data_root=...')
    return p.parse_args(argv)


@torch.no_grad()
def main(argv=None):
    args = parse_args(argv)
    from mmengine.config import Config
    from mmengine.dataset import default_collate
    from mmengine.registry import init_default_scope
    from mmengine.runner import CheckpointLoader

    import mmssl_ext  # noqa: F401
    from mmpretrain.registry import DATASETS, MODELS
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model = MODELS.build(cfg.model)
    if not hasattr(model, 'memory_bank'):
        raise SystemExit(f'{args.config}: {type(model).__name__} has no '
                         f'memory_bank; pass an NPID config.')
    state = CheckpointLoader.load_checkpoint(args.checkpoint, 'cpu')
    model.load_state_dict(state.get('state_dict', state))
    model.eval()
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    n = min(args.num_samples, len(dataset))
    idxs = random.Random(args.seed).sample(range(len(dataset)), n)
    data = model.data_preprocessor(default_collate([dataset[i]
                                                    for i in idxs]), False)
    rows = torch.tensor([int(d.sample_idx) for d in data['data_samples']])
    feat = F.normalize(model.neck(model.backbone(data['inputs']))[0], dim=1)
    bank = model.memory_bank.feature_bank
    gen = torch.Generator().manual_seed(args.seed)
    neg = bank[torch.randint(0, len(bank), (args.num_negatives, ),
                             generator=gen)]
    pos = (bank[rows] * feat).sum(1)
    negs = feat @ neg.t()
    temperature = cfg.model.head.get('temperature', 0.07)
    logits = torch.cat([pos[:, None], negs], 1) / temperature
    loss = F.cross_entropy(logits, torch.zeros(n, dtype=torch.long))
    result = dict(positive=pos.mean().item(), negative=negs.mean().item(),
                  best_negative=negs.max(1).values.mean().item(),
                  loss=loss.item(), samples=n)
    print(f'{n} samples: mean cosine with own bank row {result["positive"]:.3f}, '
          f'with a random row {result["negative"]:.3f}, with the best of '
          f'{args.num_negatives} random rows {result["best_negative"]:.3f}; '
          f'loss {result["loss"]:.2f}')
    return result


if __name__ == '__main__':
    main()
