"""The REST frontend (Tornado): KServe v2 REST with the binary-data extension."""

from ovms_frontend_rest.frontend import RestFrontend

__all__ = ["RestFrontend"]
