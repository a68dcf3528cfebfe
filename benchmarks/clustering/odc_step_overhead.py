"""ODC training step vs the same backbone + neck + head trained as plain
supervised classification: the overhead of the memory update, label
re-assignment and the ODCHook per-iteration work (loss re-weighting,
small-cluster handling every step, centroid refresh every 10 steps).

    python benchmarks/clustering/odc_step_overhead.py            # defaults
    python benchmarks/clustering/odc_step_overhead.py --length 1281167 \
        --num-classes 10000 --feat-dim 256      # ImageNet-sized memory

Both variants run forward, backward and an SGD step on the same batches;
prints the median step time of each after warm-up and the overhead.
"""
import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F


def build(args):
    import mmssl_ext  # noqa: F401
    from mmpretrain.registry import MODELS
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='ODC',
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=16,
                      base_channels=args.width),
        neck=dict(type='ODCNeck', in_channels=8 * args.width,
                  hid_channels=512, out_channels=args.feat_dim),
        head=dict(type='ClusterHead', in_channels=args.feat_dim,
                  num_classes=args.num_classes),
        memory_bank=dict(type='ODCMemory', length=args.length,
                         feat_dim=args.feat_dim,
                         num_classes=args.num_classes, min_cluster=20)))
    rng = np.random.default_rng(0)
    feats = rng.normal(size=(args.length, args.feat_dim)).astype(np.float32)
    labels = rng.integers(0, args.num_classes, args.length)
    model.memory_bank.init_memory(feats, labels)
    return model.to(args.device)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--img-size', type=int, default=32)
    parser.add_argument('--width', type=int, default=16)
    parser.add_argument('--length', type=int, default=60000)
    parser.add_argument('--num-classes', type=int, default=100)
    parser.add_argument('--feat-dim', type=int, default=64)
    parser.add_argument('--steps', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--memory-only', action='store_true',
        help='time only the memory + hook work of a step (no network), '
        'e.g. with an ImageNet-sized memory')
    args = parser.parse_args()

    from mmpretrain.structures import DataSample
    model = build(args)
    model.train()
    memory = model.memory_bank
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    g = torch.Generator().manual_seed(0)
    batches = []
    for _ in range(4):
        idx = torch.randint(0, args.length, (args.batch_size, ), generator=g)
        x = torch.randn(args.batch_size, 3, args.img_size, args.img_size,
                        generator=g).to(args.device)
        batches.append((x, idx, [DataSample(metainfo=dict(sample_idx=int(i)))
                                 for i in idx]))

    def sync():
        if args.device.startswith('cuda'):
            torch.cuda.synchronize()

    def supervised_step(step):
        x, idx, _ = batches[step % 4]
        feats = model.neck(model.backbone(x))
        target = (idx % args.num_classes).to(args.device)
        loss = F.cross_entropy(model.head(feats), target)
        opt.zero_grad()
        loss.backward()
        opt.step()

    def odc_step(step):
        x, _, samples = batches[step % 4]
        loss = model.loss(x, samples)['loss']
        opt.zero_grad()
        loss.backward()
        opt.step()
        # ODCHook.after_train_iter with the recipe's intervals
        if (step + 1) % 10 == 0:
            memory.update_centroids_memory()
        memory.deal_with_small_clusters()
        model.set_reweight()

    def measure(fn):
        for s in range(args.warmup):
            fn(s)
        times = []
        for s in range(args.steps):
            sync()
            t = time.perf_counter()
            fn(s)
            sync()
            times.append(time.perf_counter() - t)
        return float(np.median(times))

    def memory_step(step):
        _, idx, _ = batches[step % 4]
        feats = torch.randn(args.batch_size, args.feat_dim,
                            device=args.device)
        memory.update_samples_memory(idx, feats)
        if (step + 1) % 10 == 0:
            memory.update_centroids_memory()
        memory.deal_with_small_clusters()
        model.set_reweight()

    if args.memory_only:
        t = measure(memory_step)
        print(f'memory {args.length} x {args.feat_dim}, {args.num_classes} '
              f'clusters, batch {args.batch_size}, {args.device}: memory '
              f'update + re-assignment + hook work {t * 1e3:.2f} ms / step '
              f'(median of {args.steps}, centroid refresh every 10th)')
        return

    # interleave to share any machine-load drift between the two
    t_sup, t_odc = [], []
    for _ in range(2):
        t_sup.append(measure(supervised_step))
        t_odc.append(measure(odc_step))
    sup, odc = min(t_sup), min(t_odc)
    print(f'batch {args.batch_size} x {args.img_size}px, ResNet-18 (CIFAR '
          f'stem, width {args.width}), memory {args.length} x '
          f'{args.feat_dim}, {args.num_classes} clusters, {args.device}')
    print(f'{"":26s}{"median step (ms)":>18s}')
    print(f'{"supervised (same model)":26s}{sup * 1e3:18.2f}')
    print(f'{"ODC (memory + hook work)":26s}{odc * 1e3:18.2f}')
    print(f'overhead: {100 * (odc / sup - 1):+.1f} % (goal <= 15 %)')


if __name__ == '__main__':
    main()
