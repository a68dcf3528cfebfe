"""NPID: instance discrimination with a non-parametric softmax."""
from typing import Dict, List, Optional, Union

import torch
import torch.nn.functional as F
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from mmssl_ext.models.utils.mmselfsup_checkpoint import \
    MMSelfSupCheckpointMixin


@MODELS.register_module()
class NPID(MMSelfSupCheckpointMixin, BaseSelfSupervisor):
    """NPID.

    `Unsupervised Feature Learning via Non-Parametric Instance
    Discrimination <https://arxiv.org/abs/1805.01978>`_. Every training image
    is its own class; the class "weights" are the rows of a memory bank
    (:class:`SimpleMemory`). For a batch feature :math:`f_i` (L2-normalised)
    the logits are :math:`v_i^\\top f_i` (positive, its own bank row) and
    :math:`v_j^\\top f_i` for ``neg_num`` rows drawn uniformly per sample;
    the head divides by the temperature and applies cross-entropy with the
    positive as target. Afterwards the batch rows are momentum-updated.

    Args:
        backbone (dict): Backbone config.
        neck (dict): Neck config projecting to ``memory_bank.feat_dim``
            (e.g. ``LinearNeck`` 2048 -> 128).
        head (dict): Head config; ``ContrastiveHead`` with
            ``temperature=0.07`` is the paper's non-parametric softmax.
        memory_bank (dict): :class:`SimpleMemory` config.
        neg_num (int): Negatives per sample. Defaults to 65536.
        ensure_neg (bool): Re-draw any negative equal to the sample itself.
            Defaults to False.
        logits_mode (str): How negative logits are computed: ``'gather'``
            gathers the ``(B, neg_num, C)`` rows and uses a batched product;
            ``'dense'`` scores the whole bank (``(B, length)``) and picks the
            drawn columns, which is cheaper when the bank is not much larger
            than ``neg_num``; ``'auto'`` uses ``'dense'`` when
            ``length <= 4 * neg_num``. Both give the same values.
            Defaults to 'auto'.
        data_preprocessor (dict, optional): Defaults to
            ``SelfSupDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.

    Shapes: inputs ``(B, 3, H, W)``; features ``(B, C)``; logits
    ``(B, 1 + neg_num)``.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 memory_bank: dict,
                 neg_num: int = 65536,
                 ensure_neg: bool = False,
                 logits_mode: str = 'auto',
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, head=head,
                         pretrained=pretrained,
                         data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.memory_bank = MODELS.build(memory_bank)
        if neg_num < 1:
            raise ValueError(f'NPID.neg_num must be >= 1, got {neg_num}.')
        if ensure_neg and self.memory_bank.length < 2:
            raise ValueError('NPID(ensure_neg=True) needs a memory bank with '
                             'at least 2 rows; set memory_bank.length to the '
                             'dataset size.')
        if logits_mode not in ('auto', 'gather', 'dense'):
            raise ValueError(f'NPID.logits_mode must be "auto", "gather" or '
                             f'"dense", got {logits_mode!r}.')
        self.neg_num = neg_num
        self.ensure_neg = ensure_neg
        if logits_mode == 'auto':
            dense = self.memory_bank.length <= 4 * neg_num
            logits_mode = 'dense' if dense else 'gather'
        self.logits_mode = logits_mode

    def extract_feat(self, inputs: torch.Tensor):
        """Backbone features (tuple of stage outputs)."""
        return self.backbone(inputs)

    def extract_memory_feat(self, inputs: torch.Tensor) -> torch.Tensor:
        """Bank-space features: ``(B, C, H, W) -> (B, feat_dim)``,
        L2-normalised (used to rebuild a bank the checkpoint lacks)."""
        return F.normalize(self.neck(self.backbone(inputs))[0], dim=1)

    def draw_negatives(self, idx: torch.Tensor) -> torch.Tensor:
        """Negative bank indices, ``(B, neg_num)``; with ``ensure_neg`` none
        equals the row's own sample index."""
        batch = idx.numel()
        neg_idx = self.memory_bank.draw_negatives(batch * self.neg_num)
        neg_idx = neg_idx.view(batch, self.neg_num)
        if self.ensure_neg:
            while True:
                wrong = neg_idx == idx.view(-1, 1)
                num_wrong = int(wrong.sum())
                if num_wrong == 0:
                    break
                neg_idx[wrong] = self.memory_bank.draw_negatives(num_wrong)
        return neg_idx

    def logits(self, feature: torch.Tensor, idx: torch.Tensor,
               neg_idx: torch.Tensor):
        """Positive ``(B, 1)`` and negative ``(B, K)`` cosine logits."""
        bank = self.memory_bank.feature_bank.detach()
        pos = (bank[idx] * feature).sum(dim=1, keepdim=True)  # (B, 1)
        if self.logits_mode == 'dense':
            # autograd keeps the bank for the backward pass, and the bank is
            # updated in place before it: score a copy.
            all_logits = feature @ bank.clone().t()  # (B, length)
            neg = torch.gather(all_logits, 1, neg_idx)  # (B, K)
        else:
            neg_feat = bank[neg_idx.flatten()].view(*neg_idx.shape, -1)
            neg = torch.bmm(neg_feat, feature.unsqueeze(2)).squeeze(2)
        return pos, neg

    def loss(self, inputs: torch.Tensor, data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Non-parametric softmax loss; updates the bank afterwards."""
        if isinstance(inputs, list):
            inputs = inputs[0]
        # (B,), checked against the bank on the host (no device sync)
        idx = self.memory_bank.sample_indices(data_samples)
        idx = idx.to(inputs.device)
        feature = self.neck(self.backbone(inputs))[0]  # (B, C)
        feature = F.normalize(feature, dim=1)
        neg_idx = self.draw_negatives(idx)  # (B, K)
        pos, neg = self.logits(feature, idx, neg_idx)
        loss = self.head.loss(pos, neg)
        self.memory_bank.update(idx, feature.detach())
        return dict(loss=loss)
