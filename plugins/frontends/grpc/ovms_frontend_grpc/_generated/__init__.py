"""Code generated from ``protos/`` by ``tools/regenerate.py``: do not edit."""
