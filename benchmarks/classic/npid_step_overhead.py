"""NPID training-step overhead versus the plain backbone step.

The plain step runs the same backbone + neck, a trivial loss, backward and
an SGD step; the NPID step adds negative sampling, the non-parametric
softmax over ``1 + neg_num`` logits and the memory-bank update. Prints the
median step times (after warm-up), the ratio and the bank memory.

Full size (GPU): --arch resnet50 --img-size 224 --batch-size 32
--neg-num 65536 --bank-size 1281167. CPU-sized example:
    python benchmarks/classic/npid_step_overhead.py --arch resnet18-cifar \
        --img-size 32 --batch-size 32 --neg-num 65536 --bank-size 60000
"""
import argparse
import statistics
import time

import torch
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import mmssl_ext  # noqa: F401

IMAGENET_TRAIN = 1281167


def backbone_cfg(arch: str, width: int) -> dict:
    if arch == 'resnet50':
        return dict(type='ResNet', depth=50), 2048
    if arch == 'resnet18-cifar':
        return dict(type='ResNet_CIFAR', depth=18, stem_channels=width,
                    base_channels=width), width * 8
    raise SystemExit(f'unknown --arch {arch}: resnet50 or resnet18-cifar')


def median_step_ms(steps, iters: int, warmup: int, device) -> list:
    """Median ms of each step function; the steps alternate every round so
    that load from other processes hits both alike."""
    times = [[] for _ in steps]
    for i in range(warmup + iters):
        for step, record in zip(steps, times):
            if device.type == 'cuda':
                torch.cuda.synchronize()
            start = time.perf_counter()
            step()
            if device.type == 'cuda':
                torch.cuda.synchronize()
            if i >= warmup:
                record.append((time.perf_counter() - start) * 1000)
    return [statistics.median(t) for t in times]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--arch', default='resnet18-cifar')
    parser.add_argument('--width', type=int, default=16,
                        help='stem/base width of resnet18-cifar')
    parser.add_argument('--img-size', type=int, default=32)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--neg-num', type=int, default=65536)
    parser.add_argument('--feat-dim', type=int, default=128)
    parser.add_argument('--bank-size', type=int, default=60000)
    parser.add_argument('--logits-mode', default='auto',
                        choices=['auto', 'gather', 'dense'])
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--device', default='cuda' if
                        torch.cuda.is_available() else 'cpu')
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(0)

    backbone, channels = backbone_cfg(args.arch, args.width)
    neck = dict(type='LinearNeck', in_channels=channels,
                out_channels=args.feat_dim, gap_dim=2, norm_cfg=None)
    npid = MODELS.build(dict(
        type='NPID', neg_num=args.neg_num, logits_mode=args.logits_mode,
        backbone=backbone, neck=neck,
        head=dict(type='ContrastiveHead', loss=dict(type='CrossEntropyLoss'),
                  temperature=0.07),
        memory_bank=dict(type='SimpleMemory', length=args.bank_size,
                         feat_dim=args.feat_dim))).to(device)
    npid.train()
    plain = torch.nn.Sequential(npid.backbone, npid.neck)
    optim = torch.optim.SGD(npid.parameters(), lr=1e-3, momentum=0.9)

    images = torch.randn(args.batch_size, 3, args.img_size, args.img_size,
                         device=device)

    def plain_step():
        optim.zero_grad()
        feat = plain(images)[0]
        feat.pow(2).mean().backward()
        optim.step()

    def npid_step():
        idx = torch.randint(0, args.bank_size, (args.batch_size, ))
        samples = [DataSample(metainfo=dict(sample_idx=int(i))) for i in idx]
        optim.zero_grad()
        npid.loss(images, samples)['loss'].backward()
        optim.step()

    t_plain, t_npid = median_step_ms([plain_step, npid_step], args.iters,
                                     args.warmup, device)
    bank_mb = args.bank_size * args.feat_dim * 4 / 2**20
    in1k_mb = IMAGENET_TRAIN * args.feat_dim * 4 / 2**20
    gathered_mb = args.batch_size * args.neg_num * args.feat_dim * 4 / 2**20
    print(f'device={device} arch={args.arch} img={args.img_size} '
          f'batch={args.batch_size} neg_num={args.neg_num} '
          f'feat_dim={args.feat_dim} bank={args.bank_size} '
          f'logits_mode={npid.logits_mode}')
    print(f'plain backbone step : {t_plain:9.1f} ms (median of {args.iters})')
    print(f'NPID step           : {t_npid:9.1f} ms')
    print(f'NPID / plain        : {t_npid / t_plain:9.3f}x '
          f'(overhead {100 * (t_npid / t_plain - 1):.1f} %)')
    print(f'bank memory         : {bank_mb:9.1f} MiB here; '
          f'{in1k_mb:.1f} MiB per process at ImageNet scale '
          f'({IMAGENET_TRAIN} x {args.feat_dim} fp32)')
    print(f'gathered negatives  : {gathered_mb:9.1f} MiB per step '
          f'(batch x neg_num x feat_dim fp32, gather mode)')


if __name__ == '__main__':
    main()
