"""``ovms bench``: server throughput as a ratio to in-process OpenVINO, measured in one run."""
