from .atomic_checkpoint_hook import AtomicCheckpointHook  # noqa: F401
from .deepcluster_hook import DeepClusterHook  # noqa: F401
from .knn_eval_hook import KNNEvalHook  # noqa: F401
from .memory_bank_check_hook import MemoryBankCheckHook  # noqa: F401
from .momentum_update_hook import MomentumUpdateHook  # noqa: F401
from .odc_hook import ODCHook  # noqa: F401
from .rng_state_hook import RNGStateHook  # noqa: F401
from .swav_queue_hook import SwAVQueueHook  # noqa: F401
