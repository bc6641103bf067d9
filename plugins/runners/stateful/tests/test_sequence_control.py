"""Reading the sequence of a request: special inputs (TFS style) and parameters (KServe style)."""

import asyncio

import numpy as np
import pytest
from ovms_runner_stateful import SequenceControl, SequenceManager, read_sequence_control

from ovms_core import InferInput, InferRequest, OvmsError, StatusCode


def _request(*inputs, **parameters):
    data = InferInput("x", "FP32", [1, 4], raw=bytes(16))
    return InferRequest("m", None, [data, *inputs], parameters=parameters)


def _id(value, datatype="UINT64", shape=(1,)):
    return InferInput("sequence_id", datatype, list(shape), values=np.array(value, np.uint64))


def _control(value, datatype="UINT32", shape=(1,)):
    values = np.array(value, np.uint32)
    return InferInput("sequence_control_input", datatype, list(shape), values=values)


def _code(request):
    with pytest.raises(OvmsError) as caught:
        read_sequence_control(request)
    return caught.value.code, caught.value.message


def test_special_inputs():
    control = read_sequence_control(_request(_id([42]), _control([1])))
    assert control == SequenceControl(42, start=True, end=False, special_inputs=2)
    assert read_sequence_control(_request(_id([42]))) == SequenceControl(42, special_inputs=1)
    assert read_sequence_control(_request(_id([7]), _control([2]))).end
    assert read_sequence_control(_request(_control([1]))) == SequenceControl(
        0, start=True, special_inputs=1
    )


def test_special_inputs_in_raw_form():
    raw_id = InferInput("sequence_id", "UINT64", [1], raw=np.uint64(9).tobytes())
    assert read_sequence_control(_request(raw_id)).sequence_id == 9


def test_special_input_errors():
    assert _code(_request(_id([1]), _control([3])))[0] is StatusCode.INVALID_SEQUENCE_CONTROL_INPUT
    assert _code(_request(_control([0])))[0] is StatusCode.SEQUENCE_ID_NOT_PROVIDED
    assert _code(_request(_control([2])))[0] is StatusCode.SEQUENCE_ID_NOT_PROVIDED
    assert _code(_request(_id(5, shape=())))[0] is StatusCode.SPECIAL_INPUT_NO_TENSOR_SHAPE
    assert _code(_request(_id([[5]], shape=(1, 1)))) == (
        StatusCode.INVALID_NO_OF_SHAPE_DIMENSIONS,
        "Invalid number of shape dimensions - Required shape for sequence_id is: (1)",
    )
    assert _code(_request(_control([1, 1], shape=(2,)))) == (
        StatusCode.INVALID_SHAPE,
        "Invalid input shape - Required shape for sequence_control_input is: (1)",
    )
    assert _code(_request(_id([5], datatype="INT64")))[0] is StatusCode.SEQUENCE_ID_BAD_TYPE
    wrong = InferInput("sequence_control_input", "INT32", [1], values=np.array([1], np.int32))
    assert _code(_request(_id([5]), wrong))[1] == (
        "Could not find sequence control input in expected tensor proto field uint32_val"
    )
    two_values = InferInput("sequence_id", "UINT64", [1], values=np.array([1, 2], np.uint64))
    assert _code(_request(two_values))[0] is StatusCode.SEQUENCE_ID_BAD_TYPE


def test_parameters_as_tritonclient_sends_them():
    assert read_sequence_control(
        _request(sequence_id=5, sequence_start=True, sequence_end=False)
    ) == SequenceControl(5, start=True)
    assert read_sequence_control(_request(sequence_id=5, sequence_end=True)).end
    one_shot = read_sequence_control(_request(sequence_start=True, sequence_end=True))
    assert (one_shot.sequence_id, one_shot.start, one_shot.end) == (0, True, True)
    assert read_sequence_control(_request(sequence_id=2**64 - 1)).sequence_id == 2**64 - 1


def test_parameter_errors():
    assert _code(_request())[0] is StatusCode.SEQUENCE_ID_NOT_PROVIDED
    assert _code(_request(sequence_end=True))[0] is StatusCode.SEQUENCE_ID_NOT_PROVIDED
    for bad in (-1, 2**64, "12", True, 1.5):
        assert _code(_request(sequence_id=bad))[0] is StatusCode.SEQUENCE_ID_BAD_TYPE
    code, message = _code(_request(sequence_id=3, sequence_start=1))
    assert code is StatusCode.INVALID_SEQUENCE_CONTROL_INPUT
    assert message.endswith("parameter sequence_start must be a boolean")


def test_special_inputs_take_precedence_over_parameters():
    control = read_sequence_control(_request(_id([3]), sequence_id=4, sequence_start=True))
    assert control == SequenceControl(3, special_inputs=1)


def _begin(manager, sequence_id, start=False, end=False):
    return manager.begin(SequenceControl(sequence_id, start, end))


def test_sequence_lifecycle_and_errors():
    async def scenario():
        manager = SequenceManager(max_sequence_number=2)
        first = await _begin(manager, 0, start=True)
        assert first.sequence_id == 1
        first.finish()
        second = await _begin(manager, 0, start=True)
        assert second.sequence_id == 2
        second.finish()
        with pytest.raises(OvmsError) as caught:
            await _begin(manager, 9, start=True)
        assert caught.value.code is StatusCode.MAX_SEQUENCE_NUMBER_REACHED
        with pytest.raises(OvmsError) as caught:
            await _begin(manager, 1, start=True)
        assert caught.value.code is StatusCode.MAX_SEQUENCE_NUMBER_REACHED
        ending = await _begin(manager, 1, end=True)
        with pytest.raises(OvmsError) as caught:
            await _begin(manager, 1)
        assert caught.value.code is StatusCode.SEQUENCE_MISSING
        ending.finish()
        assert sorted(manager.sequences) == [2]
        with pytest.raises(OvmsError) as caught:
            await _begin(manager, 2, start=True)
        assert caught.value.code is StatusCode.SEQUENCE_ALREADY_EXISTS
        with pytest.raises(OvmsError) as caught:
            await _begin(manager, 1)
        assert caught.value.code is StatusCode.SEQUENCE_MISSING

    asyncio.run(scenario())


def test_start_of_a_sequence_being_terminated():
    async def scenario():
        manager = SequenceManager()
        (await _begin(manager, 5, start=True)).finish()
        ending = await _begin(manager, 5, end=True)
        with pytest.raises(OvmsError) as caught:
            await _begin(manager, 5, start=True)
        assert caught.value.code is StatusCode.SEQUENCE_TERMINATED
        ending.finish()
        (await _begin(manager, 5, start=True)).finish()

    asyncio.run(scenario())


def test_requests_of_one_sequence_wait_for_each_other():
    async def scenario():
        manager = SequenceManager()
        (await _begin(manager, 1, start=True)).finish()
        holding = await _begin(manager, 1)
        waiting = asyncio.ensure_future(_begin(manager, 1))
        other = await _begin(manager, 2, start=True)  # another sequence is not blocked
        await asyncio.sleep(0)
        assert not waiting.done()
        holding.finish()
        (await waiting).finish()
        other.finish()

    asyncio.run(scenario())


def test_waiter_of_an_ended_sequence_gets_missing():
    async def scenario():
        manager = SequenceManager()
        (await _begin(manager, 1, start=True)).finish()
        holding = await _begin(manager, 1)
        waiting = asyncio.ensure_future(_begin(manager, 1))
        await asyncio.sleep(0)
        holding.control = SequenceControl(1, end=True)
        holding.finish()
        with pytest.raises(OvmsError) as caught:
            await waiting
        assert caught.value.code is StatusCode.SEQUENCE_MISSING

    asyncio.run(scenario())


def test_idle_cleanup_needs_two_passes_and_skips_busy_sequences():
    async def scenario():
        manager = SequenceManager()
        for sequence_id in (1, 2, 3):
            (await _begin(manager, sequence_id, start=True)).finish()
        busy = await _begin(manager, 3)
        assert manager.remove_idle() == 0
        manager.sequences[2].idle = False  # a request touched it since the last pass
        assert manager.remove_idle() == 1
        assert sorted(manager.sequences) == [2, 3]
        busy.finish()
        assert manager.remove_idle() == 1
        assert manager.remove_idle() == 1
        assert manager.sequences == {}

    asyncio.run(scenario())
