"""Access control shared by the frontends: API keys and TLS."""

from ovms_core.security.api_keys import ApiKeys
from ovms_core.security.tls import TlsFiles

__all__ = ["ApiKeys", "TlsFiles"]
