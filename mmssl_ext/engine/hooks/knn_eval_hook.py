"""Weighted-kNN monitoring during self-supervised pretraining.

A self-supervised model has no ``predict`` mode, so kNN accuracy cannot be a
``val_evaluator``. This hook extracts globally pooled backbone features of a
labelled train/test split every ``interval`` epochs (or iterations), sharded
over the ranks, classifies the test split by weighted kNN
(:func:`mmssl_ext.evaluation.functional.knn_accuracy`) on rank 0 and logs the
result (``knn/k20_top1`` ...) to the logger and the visualizer backends.
"""
from typing import Optional, Sequence

import torch
from mmengine.dist import (broadcast, broadcast_object_list, get_rank,
                           get_world_size)
from mmengine.hooks import Hook

from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model
from ...compat.build_dataloader import strip_scope
from ...evaluation.feature_extractor import dataset_labels, extract_features
from ...evaluation.functional import knn_accuracy
from ...utils.rng import preserved_rng_state
from mmssl_ext.utils.legacy_config import warn_legacy_runtime_keys


@HOOKS.register_module()
class KNNEvalHook(Hook):
    """Evaluate the backbone with weighted kNN every ``interval`` epochs.

    The evaluation leaves training as it found it: every global random
    generator (Python, numpy, torch CPU and CUDA) is restored afterwards, and
    under DDP each rank's BatchNorm buffers are put back after rank 0's were
    used for the extraction. The dataloaders, ``ks`` and ``layer`` are
    checked in ``before_train``, before the first iteration.

    Args:
        train_dataloader (dict): labelled split that forms the kNN memory
            (a dataloader config; its sampler must not shuffle).
        test_dataloader (dict): labelled split to classify.
        interval (int): evaluate every ``interval`` epochs (or iterations with
            ``by_epoch=False``). Defaults to 1.
        by_epoch (bool): count epochs or iterations. Defaults to True.
        ks (Sequence[int]): neighbour counts. Defaults to (20, ).
        temperature (float): vote temperature. Defaults to 0.07.
        layer (int): backbone output to pool. Defaults to -1.
        before_train (bool): also evaluate the initial weights.
            Defaults to False.
    """
    priority = 'LOW'

    def __init__(self,
                 train_dataloader: dict,
                 test_dataloader: dict,
                 interval: int = 1,
                 by_epoch: bool = True,
                 ks: Sequence[int] = (20, ),
                 temperature: float = 0.07,
                 layer: int = -1,
                 before_train: bool = False) -> None:
        if interval < 1:
            raise ValueError(f'interval must be >= 1, got {interval}.')
        for name, cfg in (('train_dataloader', train_dataloader),
                          ('test_dataloader', test_dataloader)):
            sampler = cfg.get('sampler', {}) if isinstance(cfg, dict) else {}
            if sampler.get('shuffle', False):
                raise ValueError(f'KNNEvalHook {name} must not shuffle: set '
                                 f'sampler=dict(type="DefaultSampler", '
                                 f'shuffle=False).')
        self.train_cfg, self.test_cfg = train_dataloader, test_dataloader
        self.interval, self.by_epoch = interval, by_epoch
        self.ks, self.temperature, self.layer = list(ks), temperature, layer
        self.eval_before_train = before_train
        self._loaders = None
        self.last_results: Optional[dict] = None

    def before_run(self, runner) -> None:
        warn_legacy_runtime_keys(runner)  # 0.x keys mmengine ignores

    def _build_loaders(self, runner):
        if self._loaders is None:
            train = runner.build_dataloader(strip_scope(self.train_cfg),
                                            seed=runner.seed)
            test = runner.build_dataloader(strip_scope(self.test_cfg),
                                           seed=runner.seed)
            self._loaders = (train, test, dataset_labels(train.dataset),
                             dataset_labels(test.dataset))
            if max(self.ks) > len(self._loaders[2]):
                raise ValueError(
                    f'KNNEvalHook: k={max(self.ks)} exceeds the '
                    f'{len(self._loaders[2])} samples of train_dataloader; '
                    f'lower ks or use more data.')
        return self._loaders

    def _check_layer(self, runner) -> None:
        backbone = get_ori_model(runner.model).backbone
        out_indices = getattr(backbone, 'out_indices', None)
        if out_indices is None:
            return  # the backbone does not say how many outputs it has
        num = len(out_indices) if isinstance(out_indices,
                                             (list, tuple)) else 1
        if not -num <= self.layer < num:
            raise ValueError(
                f'KNNEvalHook.layer={self.layer}, but the backbone '
                f'{type(backbone).__name__} returns {num} output(s) '
                f'(out_indices={out_indices}): use a layer in '
                f'[{-num}, {num - 1}] or add the stage to the backbone\'s '
                f'out_indices.')

    @torch.no_grad()
    def evaluate(self, runner) -> dict:
        """Run the evaluation now (every rank must call it); returns the
        accuracies (%) on every rank."""
        train, test, train_labels, test_labels = self._build_loaders(runner)
        model = runner.model
        module = get_ori_model(model)
        was_training = module.training
        # With broadcast_buffers=False (our DDP recipe) BatchNorm statistics
        # drift apart per rank; evaluate rank 0's, which is what rank 0's
        # checkpoint holds, on every shard, then give each rank its own back.
        own_buffers = None
        if get_world_size() > 1:
            own_buffers = [buf.clone() for buf in module.backbone.buffers()]
            for buf in module.backbone.buffers():
                broadcast(buf, src=0)
        try:
            with preserved_rng_state():
                train_feats = extract_features(model, train, self.layer)
                test_feats = extract_features(model, test, self.layer)
        finally:
            module.train(was_training)
            if own_buffers is not None:
                for buf, own in zip(module.backbone.buffers(), own_buffers):
                    buf.copy_(own)
        holder = [None]
        if get_rank() == 0:
            holder[0] = knn_accuracy(train_feats, train_labels, test_feats,
                                     test_labels, ks=self.ks,
                                     temperature=self.temperature)
        broadcast_object_list(holder, src=0)
        results = holder[0]
        step = runner.epoch if self.by_epoch else runner.iter
        runner.logger.info(
            'kNN (T=%s): %s', self.temperature,
            ', '.join(f'{k}={v:.2f}' for k, v in results.items()))
        runner.visualizer.add_scalars(
            {f'knn/{k}': v for k, v in results.items()}, step=step)
        self.last_results = results
        return results

    def before_train(self, runner) -> None:
        # fail before the first iteration, not after the first epoch
        with preserved_rng_state():
            self._build_loaders(runner)
        self._check_layer(runner)
        if self.eval_before_train:
            self.evaluate(runner)

    def after_train_epoch(self, runner) -> None:
        if self.by_epoch and self.every_n_epochs(runner, self.interval):
            self.evaluate(runner)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if not self.by_epoch and self.every_n_train_iters(runner,
                                                          self.interval):
            self.evaluate(runner)
