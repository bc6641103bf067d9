"""Model version policies: all, latest N, specific versions."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ovms_core.base.status_codes import StatusCode
from ovms_core.config.errors import ConfigError

__all__ = ["VersionPolicy"]


@dataclass(frozen=True)
class VersionPolicy:
    """Which of the versions found in storage are served."""

    kind: str = "latest"
    num_versions: int = 1
    versions: tuple[int, ...] = ()

    def select(self, available: Iterable[int]) -> set[int]:
        """The versions to serve out of those present in storage."""
        found = sorted(set(available), reverse=True)
        if self.kind == "all":
            return set(found)
        if self.kind == "specific":
            return {v for v in found if v in self.versions}
        return set(found[: self.num_versions])

    def to_json(self) -> dict[str, Any]:
        """The policy in config.json form."""
        if self.kind == "all":
            return {"all": {}}
        if self.kind == "specific":
            return {"specific": {"versions": list(self.versions)}}
        return {"latest": {"num_versions": self.num_versions}}

    @classmethod
    def parse(cls, raw: Any, path: tuple[str | int, ...] = ()) -> VersionPolicy:
        """Parse a policy object (or its JSON text, as the CLI flag gives it)."""
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise _wrong(path, raw) from None
        if not isinstance(raw, dict) or len(raw) != 1:
            raise _wrong(path, raw)
        ((key, body),) = raw.items()
        if not isinstance(body, dict):
            raise _wrong(path, raw)
        if key == "all":
            if body:
                raise _wrong(path, raw)
            return cls("all")
        if key == "latest":
            num = body.get("num_versions", 1)
            if set(body) - {"num_versions"} or not _is_int(num) or num < 1:
                raise _wrong(path, raw)
            return cls("latest", num_versions=num)
        if key == "specific":
            versions = body.get("versions")
            if set(body) != {"versions"} or not isinstance(versions, list):
                raise _wrong(path, raw)
            if not all(_is_int(v) for v in versions):
                raise _wrong(path, raw)
            return cls("specific", versions=tuple(sorted({v for v in versions if v > 0})))
        raise ConfigError(
            StatusCode.MODEL_VERSION_POLICY_UNSUPPORTED_KEY.message,
            path=path,
            value=raw,
            code=StatusCode.MODEL_VERSION_POLICY_UNSUPPORTED_KEY,
        )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _wrong(path: tuple[str | int, ...], raw: Any) -> ConfigError:
    return ConfigError(
        StatusCode.MODEL_VERSION_POLICY_WRONG_FORMAT.message,
        path=path,
        value=raw,
        code=StatusCode.MODEL_VERSION_POLICY_WRONG_FORMAT,
    )
