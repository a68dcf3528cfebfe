"""2-process KNNEvalHook run: python -m torch.distributed.run ... DATA OUT_DIR"""
import json
import os.path as osp
import sys

import torch

torch.distributed.init_process_group('gloo')

from mmengine.runner import Runner  # noqa: E402

from tests.helpers import GLOO_DDP_WRAPPER  # noqa: E402
from tests.test_engine.test_knn_eval_hook import knn_hook_cfg  # noqa: E402

data_root, out_dir = sys.argv[1], sys.argv[2]
cfg = knn_hook_cfg(data_root, osp.join(out_dir, 'wd'))
cfg.launcher = 'pytorch'
cfg.model_wrapper_cfg = GLOO_DDP_WRAPPER
runner = Runner.from_cfg(cfg)
runner.train()
hook = [h for h in runner.hooks if type(h).__name__ == 'KNNEvalHook'][0]
rank = torch.distributed.get_rank()
with open(osp.join(out_dir, f'rank{rank}.json'), 'w') as f:
    json.dump(hook.last_results, f)

# evaluating again changes neither this rank's BatchNorm statistics (rank 0's
# are used for the extraction, then each rank gets its own back) nor its
# random generators
module = runner.model.module
before = [b.clone() for b in module.backbone.buffers()]
rng = torch.get_rng_state()
hook.evaluate(runner)
after = list(module.backbone.buffers())
torch.save(dict(before=before,
                unchanged=all(torch.equal(a, b) for a, b in zip(before, after)),
                rng_unchanged=torch.equal(rng, torch.get_rng_state())),
           osp.join(out_dir, f'buffers_rank{rank}.pt'))
