"""Dynamic batching for ovms: the ``batching`` run mode (entry-point group ``ovms.runners``).

A model configured with ``dynamic_batching`` (``max_batch_size``, ``max_queue_delay_us``) is
loaded by the kernel with a dynamic batch dimension; this plugin merges its concurrent requests
into one inference and gives each request views of its rows of the outputs.
"""

from ovms_runner_batching.batcher import BatchedOutputs, Batcher
from ovms_runner_batching.runner import BatchedRunner, BatchingMode

__all__ = ["BatchedOutputs", "BatchedRunner", "Batcher", "BatchingMode"]
