"""Per-iteration memory maintenance of ODC."""
import os.path as osp
from typing import Optional, Union

import numpy as np
from mmengine.dist import get_dist_info
from mmengine.hooks import Hook

from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model
from mmssl_ext.engine.hooks.mmselfsup_args import (accepts_mmselfsup_args,
                                                   ignored)
from mmssl_ext.evaluation.functional.clustering import cluster_stats
from mmssl_ext.utils.legacy_config import warn_legacy_runtime_keys


@HOOKS.register_module()
class ODCHook(Hook):
    """Maintain ODC's memory during training.

    After every training iteration (on every rank; the memory does the
    rank-0 work and broadcasts):

    - every ``centroids_update_interval`` iterations: recompute all
      centroids from the feature and label banks;
    - every ``deal_with_small_clusters_interval`` iterations: dissolve
      clusters smaller than the memory's ``min_cluster`` and refill emptied
      ones by splitting the largest cluster (never leaves an empty cluster);
    - with ``reweight``: set inverse-sqrt-frequency loss weights from the
      label bank;
    - every ``evaluate_interval`` iterations: log cluster sizes (min /
      median / max, empty) and the number of dissolved clusters, and raise
      if a step brought NaN/Inf features (the memory wrote nothing for it;
      checked here rather than per step to avoid a device sync);
    - every ``save_labels_interval`` epochs (rank 0): save the label bank as
      ``cluster_epoch_{e}.npy`` in the work dir.

    The change ratio of the labels is logged by the model as
    ``change_ratio``. Paper: https://arxiv.org/abs/2006.10645

    Args:
        centroids_update_interval (int): iterations between centroid
            refreshes. Defaults to 10.
        deal_with_small_clusters_interval (int): iterations between
            small-cluster handling. Defaults to 1.
        evaluate_interval (int): iterations between statistics logs.
            Defaults to 50.
        reweight (bool): update the loss weights. Defaults to True.
        reweight_pow (float): exponent of the inverse frequency.
            Defaults to 0.5.
        save_labels_interval (int): epochs between label dumps; 0 disables.
            Defaults to 10.

    MMSelfSup's ``dist_mode`` is accepted and ignored (deprecation warning).
    """

    priority = 'NORMAL'

    @accepts_mmselfsup_args({
        'dist_mode':
        ignored('distribution is detected from torch.distributed')
    })
    def __init__(self,
                 centroids_update_interval: int = 10,
                 deal_with_small_clusters_interval: int = 1,
                 evaluate_interval: int = 50,
                 reweight: bool = True,
                 reweight_pow: float = 0.5,
                 save_labels_interval: int = 10) -> None:
        for name, value in (('centroids_update_interval',
                             centroids_update_interval),
                            ('deal_with_small_clusters_interval',
                             deal_with_small_clusters_interval),
                            ('evaluate_interval', evaluate_interval)):
            if value < 1:
                raise ValueError(f'{name} must be >= 1, got {value}.')
        self.centroids_update_interval = centroids_update_interval
        self.deal_with_small_clusters_interval = \
            deal_with_small_clusters_interval
        self.evaluate_interval = evaluate_interval
        self.reweight = reweight
        self.reweight_pow = reweight_pow
        self.save_labels_interval = save_labels_interval

    def before_run(self, runner) -> None:
        warn_legacy_runtime_keys(runner)  # 0.x keys mmengine ignores

    @staticmethod
    def _model(runner):
        model = get_ori_model(runner.model)
        if not hasattr(model, 'memory_bank'):
            raise TypeError(f'ODCHook needs an ODC model with a memory_bank, '
                            f'got {type(model).__name__}.')
        return model

    def before_train(self, runner) -> None:
        self._model(runner).memory_bank.check_fits_dataset(
            len(runner.train_dataloader.dataset), 'model.memory_bank')

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[Union[dict, tuple, list]] = None,
                         outputs: Optional[dict] = None) -> None:
        model = self._model(runner)
        memory = model.memory_bank
        if self.every_n_train_iters(runner, self.centroids_update_interval):
            memory.update_centroids_memory()
        num_small = 0
        if self.every_n_train_iters(runner,
                                    self.deal_with_small_clusters_interval):
            num_small = memory.deal_with_small_clusters()
            runner.message_hub.update_scalar('train/num_small_clusters',
                                             num_small)
        if self.reweight:
            model.set_reweight(reweight_pow=self.reweight_pow)
        if self.every_n_train_iters(runner, self.evaluate_interval):
            memory.check_finite()
            labels = memory.label_bank.cpu().numpy()
            stats = cluster_stats(labels, memory.num_classes)
            runner.logger.info(
                f'ODCHook iter {runner.iter + 1}: cluster sizes min '
                f"{stats['min_size']} / median {stats['median_size']} / max "
                f"{stats['max_size']}, {stats['num_empty']} empty, "
                f'{num_small} small clusters redistributed')

    def after_train_epoch(self, runner) -> None:
        self._model(runner).memory_bank.check_finite()
        if self.save_labels_interval <= 0:
            return
        if not (self.every_n_epochs(runner, self.save_labels_interval)
                or self.is_last_train_epoch(runner)):
            return
        rank, _ = get_dist_info()
        if rank == 0:  # file write only, no collective
            labels = self._model(runner).memory_bank.label_bank.cpu().numpy()
            np.save(osp.join(runner.work_dir,
                             f'cluster_epoch_{runner.epoch + 1}.npy'),
                    labels.astype(np.int64))
