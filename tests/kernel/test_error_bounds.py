"""Error details are bounded: long echoed values keep their start and end."""

from ovms_core import OvmsError, StatusCode
from ovms_core.base.errors import MAX_DETAILS_CHARS, bounded_text


def test_short_details_are_unchanged():
    error = OvmsError(StatusCode.INVALID_SHAPE, "Expected: (1,10); Actual: (1,11)")
    assert error.message.endswith("Actual: (1,11)")


def test_long_details_keep_start_and_end_within_the_bound():
    details = "Actual: (" + ",".join(["1"] * 100_000) + "); input: b"
    message = OvmsError(StatusCode.INVALID_SHAPE, details).message
    assert len(message) <= len(StatusCode.INVALID_SHAPE.message) + 3 + MAX_DETAILS_CHARS
    assert message.endswith("); input: b")
    assert " ... " in message
    assert len(bounded_text("x" * 5000)) == MAX_DETAILS_CHARS
