"""``GET /v1/config`` (status of every servable) and ``POST /v1/config/reload``."""

from __future__ import annotations

import json
import logging
from typing import Any

from ovms_core import ConfigError, OvmsError, ServerContext, StatusCode, http_status
from ovms_frontend_rest.handlers import BaseHandler
from ovms_frontend_rest.tfs_documents import config_status_json

__all__ = ["config_routes"]

log = logging.getLogger("ovms.rest")

FILE_UNREADABLE = "Config file not found or cannot open."
CONFIG_FAILED = "Reloading config file failed. Check server logs for more info."
VERSIONS_FAILED = "Reloading models versions failed. Check server logs for more info."


class ConfigStatusHandler(BaseHandler):
    def get(self) -> None:
        self.finish(config_status_json(self.dataplane.config_status()))

    post = BaseHandler._unsupported


class ConfigReloadHandler(BaseHandler):
    """Re-read the config file (if changed or last failed), rescan versions, report statuses.

    The answer is 200 whether or not anything changed, as in OVMS 2026.2.
    """

    async def post(self) -> None:
        try:
            await self.context.reload_config()
        except ConfigError as error:
            log.error("Configuration reload failed: %s", error)
            if error.code is StatusCode.CONFIG_FILE_INVALID:
                self._fail(StatusCode.CONFIG_FILE_TIMESTAMP_READING_FAILED, FILE_UNREADABLE)
            else:
                self._fail(error.code, CONFIG_FAILED)
            return
        except OvmsError as error:
            log.error("Reloading model versions failed: %s", error.message)
            self._fail(error.code, VERSIONS_FAILED)
            return
        except Exception:  # a driver the new configuration needs is missing, or a bug
            log.exception("Configuration reload failed")
            self._fail(StatusCode.UNKNOWN_ERROR, CONFIG_FAILED)
            return
        self.finish(config_status_json(self.dataplane.config_status()))

    def _fail(self, code: StatusCode, text: str) -> None:
        self.set_status(http_status(code))
        self.finish('{\n\t"error": ' + json.dumps(text) + "\n}")

    get = BaseHandler._unsupported


def config_routes(context: ServerContext) -> list[tuple[str, type, dict[str, Any]]]:
    """The config routes (SPEC 2.1 patterns)."""
    args = {"context": context}
    return [
        (r"(?:.?)/v1/config/reload", ConfigReloadHandler, args),
        (r"(?:.?)/v1/config", ConfigStatusHandler, args),
    ]
