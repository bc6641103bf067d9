"""The model manager: applies configurations, loads and retires versions, swaps atomically."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import openvino as ov

from ovms_core.config.model_config import ModelConfig
from ovms_core.config.serving_config import ServingConfig
from ovms_core.devices.startup import check_target_devices
from ovms_core.errors import OvmsError
from ovms_core.models.loader import LoadedModel, device_family, load_model
from ovms_core.models.model import Model
from ovms_core.models.repository import list_versions, storage_scheme
from ovms_core.models.servable import Servable
from ovms_core.models.states import VersionState
from ovms_core.models.version import ModelVersion
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.plugins.hooks import Hooks
from ovms_core.plugins.interfaces import DeviceDriver, StorageDriver
from ovms_core.status_codes import StatusCode

__all__ = ["ModelManager"]

log = logging.getLogger("ovms.modelmanager")
T = TypeVar("T")


class ModelManager:
    """Owns every served model; all state changes happen on the event loop."""

    def __init__(self, core: ov.Core, drivers: DriverLoader, hooks: Hooks) -> None:
        self.core = core
        self.drivers = drivers
        self.hooks = hooks
        self.models: dict[str, Model] = {}
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ovms-loader")
        self._lock = asyncio.Lock()

    def get(self, name: str) -> Model | None:
        """The model served under ``name``."""
        return self.models.get(name)

    async def apply(self, config: ServingConfig) -> bool:
        """Make the served models match ``config``; True when anything was (re)loaded or retired."""
        async with self._lock:
            changed = False
            wanted = {m.name: m for m in config.models}
            for name, model in self.models.items():
                if name not in wanted and not model.removed:
                    log.info("Model %s was removed from the configuration", name)
                    model.removed = True
                    await asyncio.gather(*(self._retire(model, v) for v in model.versions.values()))
                    changed = True
            results = await asyncio.gather(
                *(self._apply_model(model_config) for model_config in config.models)
            )
            return changed or any(results)

    async def poll(self) -> bool:
        """Rescan the version folders of every model; True when anything changed."""
        async with self._lock:
            models = [m for m in self.models.values() if not m.removed]
            results = await asyncio.gather(*(self._reconcile(m, reload_all=False) for m in models))
            return any(results)

    async def _apply_model(self, config: ModelConfig) -> bool:
        model = self.models.get(config.name)
        if model is None:
            model = Model(config)
            self.models[config.name] = model
            return await self._reconcile(model, reload_all=False)
        reload_all = model.config != config or model.removed
        model.removed = False
        if reload_all:
            log.info("Configuration of model %s changed; reloading its versions", config.name)
        model.config = config
        return await self._reconcile(model, reload_all=reload_all)

    async def _reconcile(self, model: Model, reload_all: bool) -> bool:
        config = model.config
        try:
            storage = self._storage(config.base_path)
            found = await self._run(list_versions, storage, config.name, config.base_path)
        except OvmsError as error:
            log.error("Cannot list versions of model %s: %s", config.name, error.message)
            return False
        wanted = config.version_policy.select(found)
        tasks = []
        for number in sorted(wanted):
            version = model.versions.get(number)
            if version is None or version.state >= VersionState.UNLOADING:
                version = ModelVersion(config.name, number)
                model.versions[number] = version
                tasks.append(self._load(model, version))
            elif reload_all or version.state != VersionState.AVAILABLE:
                tasks.append(self._load(model, version))
        for number, version in model.versions.items():
            if number not in wanted and version.state < VersionState.UNLOADING:
                tasks.append(self._retire(model, version))
        if tasks:
            await asyncio.gather(*tasks)
        return bool(tasks)

    async def _load(self, model: Model, version: ModelVersion) -> None:
        """Load (or reload beside the current servable) and swap in atomically."""
        config = model.config
        if version.servable is None:
            version.set_state(VersionState.LOADING)
        try:
            loaded = await self._run(self._load_blocking, config, version.number)
        except OvmsError as error:
            self._failed(model, version, error)
            return
        except Exception as error:  # a loader bug must not take other versions down
            log.exception("Unexpected failure loading %s version %d", config.name, version.number)
            self._failed(model, version, OvmsError(StatusCode.UNKNOWN_ERROR, str(error)))
            return
        old = version.servable
        version.servable = Servable(loaded, asyncio.get_running_loop())
        version.error = None
        version.set_state(VersionState.AVAILABLE)
        model.update_default()
        log.info(
            "Loaded model %s; version: %d; No of InferRequests: %d",
            config.name,
            version.number,
            loaded.nireq,
        )
        self.hooks.model_version_loaded(model_name=config.name, version=version.number)
        if old is not None:
            await old.drained()

    def _failed(self, model: Model, version: ModelVersion, error: OvmsError) -> None:
        log.error(
            "Error loading model %s version %d: %s", model.name, version.number, error.message
        )
        version.error = error
        if version.servable is None:
            version.set_state(VersionState.LOADING, StatusCode.UNKNOWN_ERROR)
            model.update_default()
        self.hooks.model_version_failed(model_name=model.name, version=version.number, error=error)

    def _load_blocking(self, config: ModelConfig, number: int) -> LoadedModel:
        storage = self._storage(config.base_path)
        device: DeviceDriver = self._driver("device", device_family(config.target_device))
        folder = storage.fetch_dir(storage.join(config.base_path, str(number)))
        try:
            return load_model(self.core, config, number, folder, device, self.hooks)
        finally:
            storage.release_dir(folder)

    async def _retire(self, model: Model, version: ModelVersion) -> None:
        version.set_state(VersionState.UNLOADING)
        model.update_default()
        servable = version.servable
        if servable is not None:
            await servable.drained()
        version.servable = None
        version.set_state(VersionState.END)
        self.hooks.model_version_unloaded(model_name=model.name, version=version.number)

    async def shutdown(self) -> None:
        """Retire every version (after in-flight requests finish) and stop the loader threads."""
        async with self._lock:
            await asyncio.gather(
                *(
                    self._retire(model, version)
                    for model in self.models.values()
                    for version in model.versions.values()
                    if version.state < VersionState.UNLOADING
                )
            )
        self._executor.shutdown(wait=False, cancel_futures=True)

    def check_drivers(self, config: ServingConfig) -> None:
        """Load every storage and device driver ``config`` needs; raises ``PluginError``.

        Device texts that can never work (``MULTI:``, ``MYRIAD``...) raise ``ConfigError``.
        """
        for model in config.models:
            self._storage(model.base_path)
        check_target_devices(config, self.drivers)

    def _storage(self, base_path: str) -> StorageDriver:
        storage: StorageDriver = self._driver("storage", storage_scheme(base_path))
        return storage

    def _driver(self, kind: str, name: str) -> Any:
        return self.drivers.get(kind, name)

    async def _run(self, func: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, func, *args)
