"""The model manager: applies configurations, loads and retires versions, swaps atomically."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import openvino as ov

from ovms_core.base.errors import OvmsError
from ovms_core.base.heap import trim_heap
from ovms_core.base.status_codes import StatusCode
from ovms_core.config.model_config import ModelConfig
from ovms_core.config.serving_config import ServingConfig
from ovms_core.devices.driver import DeviceDriver
from ovms_core.models.compiled import CompiledVersion
from ovms_core.models.events import ModelEvents
from ovms_core.models.loader import LoadedModel, device_family, load_model
from ovms_core.models.model import Model
from ovms_core.models.repository import list_versions, storage_scheme
from ovms_core.models.states import VersionState
from ovms_core.models.targets import check_target_devices
from ovms_core.models.version import ModelVersion
from ovms_core.models.warmup import warm_up
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.storage.driver import StorageDriver

__all__ = ["SHUTDOWN_SECONDS", "ModelManager"]

log = logging.getLogger("ovms.modelmanager")
T = TypeVar("T")
SHUTDOWN_SECONDS = 10.0


class ModelManager:
    """Owns every served model; all state changes happen on the event loop."""

    def __init__(
        self,
        core: ov.Core,
        drivers: DriverLoader,
        hooks: ModelEvents,
        *,
        warmup_inferences: int = 0,
    ) -> None:
        self.core = core
        self.drivers = drivers
        self.hooks = hooks
        self.warmup_inferences = warmup_inferences
        self.models: dict[str, Model] = {}
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ovms-loader")
        self._lock = asyncio.Lock()
        self._swapped_out: dict[CompiledVersion, asyncio.Task[None]] = {}
        self._trim: asyncio.Future[bool] | None = None

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
                    await asyncio.gather(
                        *(
                            self._retire(model, v)
                            for v in model.versions.values()
                            if v.state < VersionState.UNLOADING
                        )
                    )
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
        """Load what the policy selects, then retire what it no longer selects.

        Loading comes first so the default version switches from one AVAILABLE version to the
        next without a gap. A version that left the selection keeps serving while every selected
        version failed to load and its own folder still exists.
        """
        config = model.config
        notes: list[str] = []
        try:
            storage = self._storage(config.base_path)
            found = await self._run(list_versions, storage, config.name, config.base_path, notes)
        except OvmsError as error:
            text = f"Cannot list versions of model {config.name}: {error.message}"
            _track_conditions(model, (text,), logging.ERROR)
            return False
        _track_conditions(model, tuple(notes), logging.WARNING)
        wanted = config.version_policy.select(found)
        loads = []
        for number in sorted(wanted):
            version = model.versions.get(number)
            if version is None or version.state >= VersionState.UNLOADING:
                version = ModelVersion(config.name, number)
                model.versions[number] = version
                loads.append(self._load(model, version))
            elif reload_all or version.compiled is None:
                loads.append(self._load(model, version))
        loaded = await asyncio.gather(*loads)
        leaving = [
            version
            for number, version in model.versions.items()
            if number not in wanted and version.state < VersionState.UNLOADING
        ]
        if wanted and not any(model.versions[n].state == VersionState.AVAILABLE for n in wanted):
            kept = [v for v in leaving if v.number in found and v.state == VersionState.AVAILABLE]
            for version in kept if any(loaded) else ():  # once, not at every failed retry
                log.warning(
                    "Model %s version %d stays in service: no selected version is available",
                    config.name,
                    version.number,
                )
            leaving = [v for v in leaving if v not in kept]
        await asyncio.gather(*(self._retire(model, v) for v in leaving))
        return any(loaded) or bool(leaving)

    async def _load(self, model: Model, version: ModelVersion) -> bool:
        """Load (or reload beside the current compiled version), warm up and swap in atomically.

        Returns whether anything visible changed: a version became AVAILABLE or newly failed.
        """
        config = model.config
        if version.state == VersionState.START:
            version.set_state(VersionState.LOADING)
        version.loading = True
        try:
            loaded = await self._run(self._load_blocking, config, version.number)
        except OvmsError as error:
            return self._failed(model, version, error)
        except Exception as error:  # a loader bug must not take other versions down
            log.exception("Unexpected failure loading %s version %d", config.name, version.number)
            return self._failed(model, version, OvmsError(StatusCode.UNKNOWN_ERROR, str(error)))
        finally:
            version.loading = False
        old = version.compiled
        version.compiled = CompiledVersion(loaded, asyncio.get_running_loop())
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
            self._swap_out(old)
        return True

    def _swap_out(self, compiled: CompiledVersion) -> None:
        """Forget a replaced compiled version once the requests still running on it finish."""
        if compiled.inflight == 0:
            self._close(compiled)
            return
        task = asyncio.get_running_loop().create_task(compiled.drained())
        self._swapped_out[compiled] = task

        def forget(_task: asyncio.Task[None]) -> None:
            self._swapped_out.pop(compiled, None)
            self._close(compiled)

        task.add_done_callback(forget)

    def _close(self, compiled: CompiledVersion) -> None:
        """Close an unloaded compiled version, then trim the heap in the background."""
        compiled.close()
        if self._trim is None or self._trim.done():
            self._trim = asyncio.get_running_loop().run_in_executor(self._executor, trim_heap)

    def _failed(self, model: Model, version: ModelVersion, error: OvmsError) -> bool:
        """Record a failed load; True unless it repeats the previous failure (logged once)."""
        repeated = version.error is not None and version.error.message == error.message
        version.error = error
        if version.compiled is None:
            version.set_state(VersionState.LOADING, StatusCode.UNKNOWN_ERROR)
            model.update_default()
        if repeated:
            log.debug("Loading model %s version %d failed again", model.name, version.number)
            return False
        log.error(
            "Error loading model %s version %d: %s", model.name, version.number, error.message
        )
        if version.compiled is not None:
            log.warning(
                "Model %s version %d keeps serving its previous load", model.name, version.number
            )
        self.hooks.model_version_failed(model_name=model.name, version=version.number, error=error)
        return True

    def _load_blocking(self, config: ModelConfig, number: int) -> LoadedModel:
        storage = self._storage(config.base_path)
        device: DeviceDriver = self._driver("device", device_family(config.target_device))
        folder = storage.fetch_dir(storage.join(config.base_path, str(number)))
        try:
            loaded = load_model(self.core, config, number, folder, device, self.hooks)
        finally:
            storage.release_dir(folder)
        warm_up(loaded, self.warmup_inferences, f"model {config.name} version {number}")
        trim_heap()  # compiling leaves freed scratch memory behind
        return loaded

    async def _retire(self, model: Model, version: ModelVersion) -> None:
        version.set_state(VersionState.UNLOADING)
        model.update_default()
        compiled = version.compiled
        if compiled is not None:
            await compiled.drained()
            self._close(compiled)
        version.compiled = None
        version.set_state(VersionState.END)
        self.hooks.model_version_unloaded(model_name=model.name, version=version.number)

    @property
    def inflight(self) -> int:
        """Requests running on any compiled version, replaced ones included."""
        return sum(s.inflight for s in self._compiled_versions())

    def _compiled_versions(self) -> set[CompiledVersion]:
        current = {
            version.compiled
            for model in self.models.values()
            for version in model.versions.values()
            if version.compiled is not None
        }
        return current | set(self._swapped_out)

    async def drain(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for running requests to finish; False if some remain."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while busy := [s for s in self._compiled_versions() if s.inflight]:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(asyncio.gather(*(s.drained() for s in busy)), remaining)
            except TimeoutError:
                return False
        return True

    async def shutdown(self, timeout: float = SHUTDOWN_SECONDS) -> None:
        """Retire every version (waiting up to ``timeout`` for requests) and stop the loaders."""
        if not await self.drain(timeout):
            log.warning("%d request(s) still running at shutdown; unloading", self.inflight)
        async with self._lock:
            for model in self.models.values():
                for version in model.versions.values():
                    if version.state < VersionState.UNLOADING:
                        version.set_state(VersionState.UNLOADING)
                        if version.compiled is not None and not version.compiled.inflight:
                            version.compiled.close()
                        version.compiled = None
                        version.set_state(VersionState.END)
                        self.hooks.model_version_unloaded(
                            model_name=model.name, version=version.number
                        )
                model.update_default()
        self._swapped_out.clear()
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


def _track_conditions(model: Model, conditions: tuple[str, ...], level: int) -> None:
    """Log each condition of the version folders when it starts and when it ends, not per poll."""
    if conditions == model.conditions:
        return
    for text in conditions:
        if text not in model.conditions:
            log.log(level, "%s", text)
    for text in model.conditions:
        if text not in conditions:
            log.info("No longer the case: %s", text)
    model.conditions = conditions
