"""Stateful models (SPEC 11) for ovms: sequences with their own OpenVINO variable state.

The ``stateful`` run mode (entry-point group ``ovms.runners``) runs models configured with
``stateful: true``; the ``stateful`` hook plugin (``ovms.hooks``) runs the idle-sequence cleaner.
The kernel parses the settings and applies the low-latency transformation at load.

How a request reaches a sequence, for frontend authors:

* TF-Serving APIs pass the special inputs ``sequence_id`` (datatype ``UINT64``, shape ``[1]``,
  the value in ``InferInput.values``) and ``sequence_control_input`` (``UINT32``, shape ``[1]``;
  1 start, 2 end) as ordinary ``InferInput`` entries. A frontend that receives them in another
  form (wrong TensorProto field, other dtype) passes them on as received: this plugin answers
  with the OVMS error (``SEQUENCE_ID_BAD_TYPE``...). A missing ``tensor_shape`` is shape ``[]``.
* KServe APIs pass the request parameters ``sequence_id`` (int), ``sequence_start`` and
  ``sequence_end`` (bool) in ``InferRequest.parameters`` (what ``tritonclient`` sends).

Every result of a stateful model carries the sequence id in ``InferResult.parameters``
(``{"sequence_id": <int>}``). KServe frontends copy ``parameters`` into the response
``parameters``; TF-Serving frontends add it as an extra output ``sequence_id`` (DT_UINT64,
shape ``[1]``, in ``uint64_val``; REST: ``"sequence_id": [<id>]``).
"""

from ovms_runner_stateful.cleaner import CLEANER, SequenceCleaner
from ovms_runner_stateful.control import (
    SEQUENCE_CONTROL_INPUT,
    SEQUENCE_ID,
    SequenceControl,
    read_sequence_control,
)
from ovms_runner_stateful.runner import StatefulMode, StatefulRunner
from ovms_runner_stateful.sequences import SequenceManager, SequenceStep

__all__ = [
    "CLEANER",
    "SEQUENCE_CONTROL_INPUT",
    "SEQUENCE_ID",
    "SequenceCleaner",
    "SequenceControl",
    "SequenceManager",
    "SequenceStep",
    "StatefulMode",
    "StatefulRunner",
    "read_sequence_control",
]
