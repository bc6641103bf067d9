"""The REST frontend (Tornado).

KServe v2 REST with the binary-data extension, the TensorFlow-Serving REST API, the config
status and reload endpoints, and ``/metrics``.
"""

from ovms_frontend_rest.frontend import RestFrontend

__all__ = ["RestFrontend"]
