"""The model repository extension: ``POST /v2/repository/index`` and model load and unload."""

from __future__ import annotations

from typing import Any

import orjson

from ovms_core import ConfigError, ModelControl, ModelControlDisabled, ServerContext
from ovms_frontend_rest.handlers import BaseHandler

__all__ = ["repository_routes"]


class _RepositoryHandler(BaseHandler):
    def initialize(self, context: ServerContext) -> None:
        super().initialize(context)
        self.control = ModelControl.of(context)

    def body_object(self) -> dict[str, Any]:
        """The JSON object of the body; an empty body is ``{}``."""
        if not self.request.body.strip():
            return {}
        document = orjson.loads(self.request.body)
        if not isinstance(document, dict):
            raise ValueError("expected a JSON object")
        return document

    def fail(self, status: int, message: str) -> None:
        self.set_status(status)
        self.finish(orjson.dumps({"error": message}))

    get = BaseHandler._unsupported


class RepositoryIndexHandler(_RepositoryHandler):
    def post(self) -> None:
        try:
            ready = bool(self.body_object().get("ready", False))
        except ValueError as error:
            self.fail(400, f"Invalid repository index request: {error}")
            return
        entries = self.control.index(ready) if self.control is not None else []
        self.finish(orjson.dumps(entries))


class RepositoryModelHandler(_RepositoryHandler):
    async def post(self, name: str, action: str) -> None:
        if self.control is None:
            self.fail(403, ModelControlDisabled.message)
            return
        try:
            override = None
            if action == "load":
                parameters = self.body_object().get("parameters") or {}
                text = parameters.get("config") if isinstance(parameters, dict) else None
                override = orjson.loads(text) if isinstance(text, str) else text
                await self.control.load(name, override)
            else:
                await self.control.unload(name)
        except ModelControlDisabled as error:
            self.fail(403, str(error))
            return
        except (ValueError, ConfigError) as error:
            self.fail(400, f"Invalid model configuration: {error}")
            return
        self.finish(b"{}")


def repository_routes(context: ServerContext) -> list[tuple[str, type, dict[str, Any]]]:
    """The repository routes (guarded by ``--allow_model_control`` and the API key)."""
    args = {"context": context}
    return [
        (r"/v2/repository/index", RepositoryIndexHandler, args),
        (r"/v2/repository/models/([^/]+)/(load|unload)", RepositoryModelHandler, args),
    ]
