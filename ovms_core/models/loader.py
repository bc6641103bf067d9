"""Reading, reshaping and compiling one model version (runs in a loader thread)."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import openvino as ov

from ovms_core.base.datatypes import from_ov_type
from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode
from ovms_core.config.batching import DynamicBatching
from ovms_core.config.model_config import ModelConfig
from ovms_core.config.shapes import Dim, LayoutSpec, ShapeSpec
from ovms_core.config.stateful import SequenceSettings
from ovms_core.devices.availability import openvino_reason
from ovms_core.devices.driver import DeviceDriver
from ovms_core.devices.execution import execution_info
from ovms_core.execution.tensor_info import TensorInfo
from ovms_core.models.dynamic_batch import check_batchable, client_infos, widen_batch
from ovms_core.models.files import find_model_file
from ovms_core.models.low_latency import apply_low_latency
from ovms_core.models.preprocessing import add_preprocessing

if TYPE_CHECKING:
    from ovms_core.models.events import ModelEvents

__all__ = ["MAPPING_FILE", "LoadedModel", "device_family", "load_model", "uses_auto"]

log = logging.getLogger("ovms.modelmanager")
MAPPING_FILE = "mapping_config.json"


@dataclass
class LoadedModel:
    """A compiled model version and what clients see of it."""

    compiled: ov.CompiledModel
    inputs: dict[str, TensorInfo]
    outputs: dict[str, TensorInfo]
    nireq: int
    rt_info: dict[str, Any] = field(default_factory=dict)
    streams: int = 0
    stateful: SequenceSettings | None = None
    """Sequence settings of a stateful model; None for a stateless one."""
    requests: list[ov.InferRequest] = field(default_factory=list)
    """Infer requests made (and warmed up) while loading; the pool creates any missing."""
    batching: DynamicBatching | None = None
    """Dynamic batching settings; the compiled model then has a dynamic batch dimension."""
    name: str = ""
    """The served name."""
    version: int = 0
    """The version number."""


def device_family(target_device: str) -> str:
    """The device driver name for a ``target_device`` text (``MULTI:CPU,GPU`` -> ``MULTI``)."""
    return target_device.split(":", 1)[0].split(".", 1)[0].split("(", 1)[0].strip().upper()


def load_model(
    core: ov.Core,
    config: ModelConfig,
    version: int,
    folder: str,
    device: DeviceDriver,
    hooks: ModelEvents,
) -> LoadedModel:
    """Read the model in ``folder``, apply shape, batch and layout, and compile it."""
    path = find_model_file(folder)
    try:
        model = core.read_model(path)
    except Exception as error:  # OpenVINO raises RuntimeError subclasses with the reason
        raise OvmsError(StatusCode.MODEL_NOT_LOADED, f"{path}: {openvino_reason(error)}") from None
    if not model.inputs:
        raise OvmsError(StatusCode.OV_NO_INPUTS)
    if not model.outputs:
        raise OvmsError(StatusCode.OV_NO_OUTPUTS)
    mapping = _read_mapping(folder)
    layouts = _apply_layouts(model, config, mapping)
    _apply_shapes(model, config, mapping, layouts)
    before: tuple[list[ov.PartialShape], list[ov.PartialShape]] | None = None
    if config.dynamic_batching is not None:
        named = _by_exposed_name(model.inputs, mapping.get("inputs", {}))
        before = widen_batch(
            model,
            [
                batch_index(layouts.get(n), p.get_partial_shape().rank.get_length())
                if p.get_partial_shape().rank.is_static
                else None
                for n, p in named.items()
            ],
        )
    stateful = SequenceSettings.of(config)
    if stateful is not None and stateful.low_latency_transformation:
        apply_low_latency(model)
    hooks.model_read(model_config=config, version=version, model=model)
    properties = dict(config.plugin_config)
    if "NUM_STREAMS" not in properties and "PERFORMANCE_HINT" not in properties:
        properties["PERFORMANCE_HINT"] = "LATENCY"
    if uses_auto(config) and not config.allow_cache and core.get_property("CACHE_DIR"):
        properties["CACHE_DIR"] = ""  # OVMS keeps auto-shaped models out of the cache
    device.check(core, config.target_device, properties)
    try:
        compiled = device.compile(core, model, config.target_device, properties)
    except OvmsError:
        raise
    except Exception as error:
        raise OvmsError(
            StatusCode.CANNOT_COMPILE_MODEL_INTO_TARGET_DEVICE, openvino_reason(error)
        ) from None
    nireq = max(1, config.nireq or int(compiled.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS")))
    execution = execution_info(compiled)
    log.info(
        "Model %s version %d compiled for %s: execution devices: %s; streams: %d; "
        "performance hint: %s; nireq: %d",
        config.name,
        version,
        config.target_device,
        ", ".join(execution.devices) or "unknown",
        execution.streams,
        execution.performance_hint or "none",
        nireq,
    )
    inputs = _tensor_infos(compiled.inputs, mapping.get("inputs", {}), layouts)
    outputs = _tensor_infos(compiled.outputs, mapping.get("outputs", {}), layouts)
    if before is not None:
        check_batchable([*inputs.values(), *outputs.values()])
        inputs = client_infos(inputs, before[0], _dim)
        outputs = client_infos(outputs, before[1], _dim)
    return LoadedModel(
        compiled,
        inputs,
        outputs,
        nireq,
        _model_info(model),
        stateful=stateful,
        streams=execution.streams,
        batching=config.dynamic_batching,
        name=config.name,
        version=version,
    )


def _read_mapping(folder: str) -> dict[str, dict[str, str]]:
    path = os.path.join(folder, MAPPING_FILE)
    if not os.path.exists(path):
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        log.warning("Ignoring %s: %s", path, error)
        return {}
    if not isinstance(document, dict):
        log.warning("Ignoring %s: expected a JSON object", path)
        return {}
    return {
        key: {str(k): str(v) for k, v in document.get(key, {}).items()}
        for key in ("inputs", "outputs")
        if isinstance(document.get(key), dict)
    }


def _exposed_names(ports: list[ov.Output], renames: dict[str, str]) -> list[str]:
    names: list[str] = []
    for port in ports:
        real = port.get_any_name() if port.get_names() else ""
        names.append(renames.get(real, real) or f"unnamed_{len(names)}")
    return names


def _by_exposed_name(ports: list[ov.Output], renames: dict[str, str]) -> dict[str, ov.Output]:
    return dict(zip(_exposed_names(ports, renames), ports, strict=True))


def _apply_layouts(
    model: ov.Model, config: ModelConfig, mapping: dict[str, dict[str, str]]
) -> dict[str, LayoutSpec]:
    """Insert layout conversions; returns the layout spec by exposed tensor name."""
    setting = config.layout
    if setting is None:
        return {}
    inputs = _by_exposed_name(model.inputs, mapping.get("inputs", {}))
    outputs = _by_exposed_name(model.outputs, mapping.get("outputs", {}))
    chosen: dict[str, LayoutSpec] = {}
    if setting.anonymous is not None:
        if len(inputs) != 1:
            raise OvmsError(StatusCode.ANONYMOUS_FIXED_LAYOUT_NOT_ALLOWED)
        chosen[next(iter(inputs))] = setting.anonymous
    for name, spec in setting.named.items():
        if name not in inputs and name not in outputs:
            raise OvmsError(StatusCode.CONFIG_LAYOUT_IS_NOT_IN_MODEL, name)
        chosen[name] = spec
    ppp = ov.preprocess.PrePostProcessor(model)
    for name, spec in chosen.items():
        if name in inputs:
            info = ppp.input(inputs[name].get_any_name())
            info.tensor().set_layout(ov.Layout(spec.target))
            info.model().set_layout(ov.Layout(spec.source))
            if config.preprocessing is not None:
                add_preprocessing(info, config.preprocessing)
        else:
            out = ppp.output(outputs[name].get_any_name())
            out.model().set_layout(ov.Layout(spec.source))
            out.tensor().set_layout(ov.Layout(spec.target))
    try:
        ppp.build()
    except Exception as error:
        raise OvmsError(StatusCode.LAYOUT_INCOMPATIBLE_WITH_SHAPE, openvino_reason(error)) from None
    return chosen


def _apply_shapes(
    model: ov.Model,
    config: ModelConfig,
    mapping: dict[str, dict[str, str]],
    layouts: dict[str, LayoutSpec],
) -> None:
    """Reshape for the ``shape`` setting, or else set the batch dimension of ``batch_size``."""
    inputs = _by_exposed_name(model.inputs, mapping.get("inputs", {}))
    wanted: dict[str, ShapeSpec] = {}
    shape = config.shape
    if shape is not None:
        if config.batch_size is not None:
            log.warning(
                "Both shape and batch size have been defined. Batch size parameter will be ignored."
            )
        if shape.anonymous is not None:
            if len(inputs) != 1:
                raise OvmsError(StatusCode.ANONYMOUS_FIXED_SHAPE_NOT_ALLOWED)
            wanted[next(iter(inputs))] = shape.anonymous
        for name, spec in shape.named.items():
            if name not in inputs:
                real_names = {p.get_any_name() for p in model.inputs}
                if name in real_names and mapping.get("inputs"):
                    raise OvmsError(StatusCode.CONFIG_SHAPE_MAPPED_BUT_USED_REAL_NAME, name)
                raise OvmsError(StatusCode.CONFIG_SHAPE_IS_NOT_IN_MODEL, name)
            wanted[name] = spec
    new_shapes: dict[ov.Output, ov.PartialShape] = {}
    for name, spec in wanted.items():
        port = inputs[name]
        if spec.auto:
            # Served as dynamic dimensions: any shape is accepted without a reload.
            log.warning("Shape auto is deprecated. Use model dynamic shapes instead.")
            new_shapes[port] = ov.PartialShape.dynamic(port.get_partial_shape().rank)
            continue
        new_shapes[port] = ov.PartialShape(spec.ov_text())
    batch = config.batch_size
    if shape is None and batch is not None:
        if batch.auto:
            log.warning("Batch size auto is deprecated. Use model dynamic shapes instead.")
        size = "?" if batch.auto or batch.dim is None else batch.dim.ov_text()
        for name, port in inputs.items():
            partial = port.get_partial_shape()
            index = batch_index(layouts.get(name), partial.rank.get_length())
            if index is None:
                continue
            dims = [_ov_dim(d) for d in partial]
            dims[index] = size
            new_shapes[port] = ov.PartialShape("[" + ",".join(dims) + "]")
    if not new_shapes:
        return
    try:
        model.reshape(new_shapes)
    except Exception as error:
        raise OvmsError(StatusCode.RESHAPE_ERROR, openvino_reason(error)) from None


def uses_auto(config: ModelConfig) -> bool:
    """Whether ``shape`` or ``batch_size`` asks for ``auto``."""
    shape = config.shape
    auto_shape = shape is not None and (
        (shape.anonymous is not None and shape.anonymous.auto)
        or any(spec.auto for spec in shape.named.values())
    )
    return auto_shape or (config.batch_size is not None and config.batch_size.auto)


def _ov_dim(dimension: ov.Dimension) -> str:
    if dimension.is_static:
        return str(dimension.get_length())
    upper = dimension.get_max_length()
    return "?" if upper < 0 else f"{dimension.get_min_length()}..{upper}"


def batch_index(layout: LayoutSpec | None, rank: int) -> int | None:
    """Position of ``N`` in the client-side layout; default layout ``N...`` puts it first."""
    if rank == 0:
        return None
    if layout is None:
        return 0
    text = layout.target
    if "N" not in text:
        return None
    if "..." in text:
        head, tail = text.split("...", 1)
        if "N" in head:
            return head.replace("...", "").index("N")
        return rank - (len(tail) - tail.index("N"))
    return text.index("N") if len(text) == rank else None


def _tensor_infos(
    ports: list[ov.ConstOutput], renames: dict[str, str], layouts: dict[str, LayoutSpec]
) -> dict[str, TensorInfo]:
    infos = {}
    for index, (name, port) in enumerate(zip(_exposed_names(ports, renames), ports, strict=True)):
        datatype = from_ov_type(port.get_element_type())
        if datatype is None:
            raise OvmsError(
                StatusCode.OV_UNSUPPORTED_SERIALIZATION_PRECISION,
                f"tensor {name} has element type {port.get_element_type()}",
            )
        partial = port.get_partial_shape()
        dims = tuple(_dim(d) for d in partial)
        layout = layouts.get(name)
        infos[name] = TensorInfo(
            name=name,
            index=index,
            datatype=datatype,
            dims=dims,
            batch_index=batch_index(layout, len(dims)),
            layout=layout.target if layout else "",
            aliases=frozenset(port.get_names()) - {name},
        )
    return infos


def _dim(dimension: ov.Dimension) -> Dim:
    if dimension.is_static:
        return Dim(dimension.get_length(), dimension.get_length())
    upper = dimension.get_max_length()
    if upper < 0:
        return Dim(-1, -1)
    return Dim(dimension.get_min_length(), upper)


def _model_info(model: ov.Model) -> dict[str, Any]:
    if not model.has_rt_info("model_info"):
        return {}
    try:
        info: dict[str, Any] = _rt_to_dict(model.get_rt_info("model_info"))
        return info
    except Exception:  # rt_info shapes vary by producer; metadata is best effort
        return {}


def _rt_to_dict(node: Any) -> Any:
    value = node.astype(dict) if hasattr(node, "astype") else node
    if isinstance(value, dict):
        return {str(k): _rt_to_dict(v) for k, v in value.items()}
    return str(value)
