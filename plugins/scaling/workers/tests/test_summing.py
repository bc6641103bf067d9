"""The ``/metrics`` texts of several worker processes add up into one."""

from ovms_workers import sum_texts


def test_texts_of_several_workers_sum_in_first_seen_order():
    one = b'# HELP a A\n# TYPE a counter\na{x="1"} 2\na{x="2"} 1.5\n'
    two = b'# HELP a A\n# TYPE a counter\na{x="2"} 1\na{x="3"} 4\n# HELP b B\nb 7\n'
    summed = sum_texts([one, two]).decode().splitlines()
    assert summed == [
        "# HELP a A",
        "# TYPE a counter",
        'a{x="1"} 2',
        'a{x="2"} 2.5',
        'a{x="3"} 4',
        "# HELP b B",
        "b 7",
    ]
    assert sum_texts([b"", b""]) == b""
