"""The server: loads the configuration, starts frontends, polls for changes, stops cleanly."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from dataclasses import dataclass

import openvino as ov

from ovms_core.base.status_codes import StatusCode
from ovms_core.config.errors import ConfigError
from ovms_core.config.server_settings import ServerSettings
from ovms_core.config.serving_config import ServingConfig, load_config_file
from ovms_core.metrics import Metrics, MetricsDriver, ServedVersions
from ovms_core.models.control import ModelControl
from ovms_core.models.manager import ModelManager
from ovms_core.models.repository import storage_scheme
from ovms_core.plugins.drivers import DriverLoader
from ovms_core.plugins.errors import DriverNotFound
from ovms_core.security import ApiKeys, TlsFiles
from ovms_core.servables.kind import load_kinds, require_kinds
from ovms_core.servables.model import ModelSource
from ovms_core.servables.model.access import ModelAccess
from ovms_core.servables.statistics import Statistics, StatisticsDriver
from ovms_core.server.assembly import build_dataplane
from ovms_core.server.context import ServerContext
from ovms_core.server.frontend import Frontend
from ovms_core.server.hooks import Hooks

__all__ = ["ReloadOutcome", "Server", "frontend_names"]

log = logging.getLogger("ovms.server")


@dataclass(frozen=True)
class ReloadOutcome:
    """What a reload did: ``changed`` when anything was loaded, reloaded or retired."""

    changed: bool


def frontend_names(settings: ServerSettings) -> list[str]:
    """Frontends the settings ask for: ``grpc`` for ``--port``, ``rest`` for ``--rest_port``."""
    names = []
    if settings.port:
        names.append("grpc")
    if settings.rest_port:
        names.append("rest")
    return names


class Server:
    """One server process: owns the model manager, the dataplane and the frontends."""

    def __init__(
        self, settings: ServerSettings, config: ServingConfig, hooks: Hooks, drivers: DriverLoader
    ) -> None:
        self.settings = settings
        self.config = config
        self.hooks = hooks
        self.drivers = drivers
        self.core = ov.Core()
        if settings.cache_dir:
            self.core.set_property({"CACHE_DIR": settings.cache_dir})
            log.info("Model cache is enabled: %s", settings.cache_dir)
        self.manager = ModelManager(
            self.core, drivers, hooks, warmup_inferences=settings.warmup_inferences
        )
        self.metrics = self._metrics()
        self.api_keys = ApiKeys.from_settings(settings)
        self.tls = TlsFiles.from_settings(settings)
        self.control = ModelControl(
            self.manager,
            lambda: self.config,
            self._apply_models,
            settings.model_repository_path,
            settings.allow_model_control,
        )
        self.kinds = load_kinds(ModelAccess(self.manager), drivers)
        self.models = ModelSource(self.manager, self.metrics, self._statistics())
        self.dataplane = build_dataplane(self.models, list(self.kinds.values()))
        self.frontends: list[Frontend] = []
        self._config_failed = False
        self._stopping = asyncio.Event()
        self._reload_lock = asyncio.Lock()

    def _metrics(self) -> Metrics:
        """The metrics plugin's metrics with ``--metrics_enable``, else ones that record nothing.

        Raises ``DriverNotFound`` (naming ``ovms-metrics``) when no metrics plugin is installed.
        """
        if not self.settings.metrics_enable:
            return Metrics()
        driver: MetricsDriver = self.drivers.get("metrics", "prometheus")
        return driver.create(self.settings, ServedVersions(self.manager), self.hooks.manager.hook)

    def _statistics(self) -> Statistics:
        """The statistics plugin's statistics when one is installed, else ones that keep none."""
        if "kserve" not in self.drivers.installed("statistics"):
            return Statistics()
        try:
            driver: StatisticsDriver = self.drivers.get("statistics", "kserve")
        except DriverNotFound:  # disabled by OVMS_DISABLE_PLUGINS
            return Statistics()
        return driver.create(ServedVersions(self.manager))

    def prepare(self) -> None:
        """Let every kind check the configuration, load the drivers it needs, run hook checks."""
        self._check_kinds(self.config)
        self.hooks.configure(settings=self.settings, config=self.config)
        self.manager.check_drivers(self.config)
        self.models.runners.check(self.config)
        self._check_local_paths()
        for name in frontend_names(self.settings):
            frontend = self.drivers.get("frontend", name)
            self.hooks.register(frontend, name=f"frontend-{name}")
            self.frontends.append(frontend)

    def _check_kinds(self, config: ServingConfig) -> None:
        """Refuse sections no installed kind serves, then let every kind check ``config``."""
        require_kinds(config, self.kinds)
        for kind in self.kinds.values():
            kind.check(config)

    def _check_local_paths(self) -> None:
        for index, model in enumerate(self.config.models):
            if storage_scheme(model.base_path) == "file" and not os.path.isdir(model.base_path):
                in_file = bool(self.config.source)
                raise ConfigError(
                    f"{StatusCode.PATH_INVALID.message}: model {model.name}",
                    source=self.config.source or "command line",
                    path=("model_config_list", index, "config", "base_path")
                    if in_file
                    else ("model_path",),
                    value=model.base_path,
                    code=StatusCode.PATH_INVALID,
                )

    async def run(self) -> None:
        """Serve until SIGTERM or SIGINT (or ``stop``), then drain and unload."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.stop)
        context = ServerContext(
            settings=self.settings,
            dataplane=self.dataplane,
            hooks=self.hooks,
            loop=loop,
            reload_config=self.reload_config,
            services={
                "metrics": self.metrics,
                "api_keys": self.api_keys,
                "tls": self.tls,
                "model_control": self.control,
                "runners": self.models.runners,
            },
        )
        for pending in self.hooks.server_starting(context=context):
            await pending
        for frontend in self.frontends:
            await frontend.start(context)
        await self.manager.apply(self.control.effective(self.config))
        for kind in self.kinds.values():
            await kind.apply(self.config)
        self.dataplane.ready = True
        log.info("Server ready: %d model(s) configured", len(self.config.models))
        self.hooks.server_started(context=context)
        tasks = []
        if self.settings.file_system_poll_wait_seconds > 0:
            tasks.append(asyncio.create_task(self._poll_forever()))
        await self._stopping.wait()
        await self._shut_down(context, tasks)

    async def _shut_down(self, context: ServerContext, tasks: list[asyncio.Task[None]]) -> None:
        """Stop accepting, let running requests finish (bounded), close frontends, unload."""
        log.info("Stopping: no new connections; waiting for in-flight requests")
        self.dataplane.ready = False
        self.hooks.server_stopping(context=context)
        for task in tasks:
            task.cancel()
        bound = float(self.settings.shutdown_timeout_seconds)
        deadline = asyncio.get_running_loop().time() + bound
        for frontend in self.frontends:
            await frontend.stop_accepting()
        await self.manager.drain(bound)
        for frontend in self.frontends:
            await frontend.stop()
        for kind in self.kinds.values():
            await kind.shutdown()
        # Requests that came in on open connections meanwhile finish too, within the bound.
        await self.manager.shutdown(timeout=deadline - asyncio.get_running_loop().time())
        log.info("Server stopped")

    def stop(self) -> None:
        """Ask the server to stop."""
        self._stopping.set()

    async def _apply_models(self) -> None:
        """Apply the configuration with the model control's loads and unloads."""
        async with self._reload_lock:
            await self.manager.apply(self.control.effective(self.config))

    async def reload_config(self) -> ReloadOutcome:
        """Re-read the config file when it changed (or last failed), then rescan versions.

        Raises ``ConfigError`` when the file cannot be read or is invalid; nothing changes then.
        Concurrent calls (the poller and ``POST /v1/config/reload``) run one after the other.
        """
        async with self._reload_lock:
            return await self._reload()

    async def _reload(self) -> ReloadOutcome:
        changed = config_changed = False
        if self.settings.config_path:
            try:
                config = load_config_file(self.settings.config_path)
            except ConfigError:
                self._config_failed = True
                raise
            if config.digest != self.config.digest or self._config_failed:
                try:
                    self._check_kinds(config)
                except ConfigError:
                    self._config_failed = True
                    raise
                log.info("Configuration file %s changed; applying it", self.settings.config_path)
                config.log_problems()
                self.manager.check_drivers(config)
                self.models.runners.check(config)
                self.config = config
                self._config_failed = False
                config_changed = True
                changed = await self.manager.apply(self.control.effective(config))
                self.hooks.config_reloaded(config=config)
        changed = await self.manager.poll() or changed
        if changed or config_changed:
            for kind in self.kinds.values():
                changed = await kind.apply(self.config) or changed
        return ReloadOutcome(changed)

    async def _poll_forever(self) -> None:
        interval = self.settings.file_system_poll_wait_seconds
        while True:
            await asyncio.sleep(interval)
            try:
                await self.reload_config()
            except ConfigError as error:
                log.error("Configuration reload failed: %s", error)
            except Exception:
                log.exception("Unexpected error while polling for changes")
