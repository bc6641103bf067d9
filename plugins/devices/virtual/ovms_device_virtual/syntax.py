"""The ``target_device`` syntax of the virtual devices: ``FAMILY[:ENTRY,ENTRY...]``.

An entry is a device name, with ``-`` before it to exclude it (AUTO) or ``(N)`` after it for a
request count (MULTI) or a batch size (BATCH).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NoReturn

from ovms_core import DeviceName, OvmsError, StatusCode, parse_device_name

__all__ = ["VIRTUAL_FAMILIES", "Entry", "Rules", "VirtualTarget", "parse_target"]

VIRTUAL_FAMILIES = frozenset({"AUTO", "MULTI", "HETERO", "BATCH"})

_ENTRY = re.compile(r"(?P<exclude>-)?\s*(?P<name>[^()]*?)\s*(?:\((?P<count>[^()]*)\))?")


@dataclass(frozen=True)
class Rules:
    """What one virtual family allows in its device list."""

    family: str
    example: str
    needs_list: bool = True
    exclusion: bool = False
    count: str = ""  # what ``(N)`` means for this family; empty when not allowed
    single: bool = False


@dataclass(frozen=True)
class Entry:
    """One device of the list."""

    device: DeviceName
    excluded: bool = False
    count: int | None = None

    def __str__(self) -> str:
        text = ("-" if self.excluded else "") + str(self.device)
        return text if self.count is None else f"{text}({self.count})"


@dataclass(frozen=True)
class VirtualTarget:
    """A parsed ``target_device``; ``str()`` is the spelling handed to OpenVINO."""

    family: str
    entries: tuple[Entry, ...] = ()

    @property
    def used(self) -> list[DeviceName]:
        """The listed devices that are not excluded."""
        return [entry.device for entry in self.entries if not entry.excluded]

    def __str__(self) -> str:
        if not self.entries:
            return self.family
        return f"{self.family}:{','.join(str(entry) for entry in self.entries)}"


def parse_target(text: str, rules: Rules) -> VirtualTarget:
    """Parse ``text`` by ``rules``; raises ``DEVICE_WRONG_FORMAT`` naming what is wrong."""
    head, colon, rest = text.strip().partition(":")
    if head.strip().upper() != rules.family:
        _wrong(text, rules, f"the {rules.family} driver takes target_device {rules.family}:...")
    if colon and not rest.strip():
        _wrong(text, rules, "the device list after ':' is empty")
    if not colon:
        if rules.needs_list:
            _wrong(text, rules, f"{rules.family} needs a list of devices")
        return VirtualTarget(rules.family)
    entries = tuple(_entry(part, text, rules) for part in rest.split(","))
    if rules.single and len(entries) != 1:
        _wrong(text, rules, f"{rules.family} takes exactly one device")
    names = [str(entry.device) for entry in entries]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        _wrong(text, rules, f"{', '.join(twice)} listed more than once")
    return VirtualTarget(rules.family, entries)


def _entry(part: str, text: str, rules: Rules) -> Entry:
    match = _ENTRY.fullmatch(part.strip())
    if match is None or not match["name"]:
        _wrong(text, rules, f"empty or malformed device entry {part.strip()!r}")
    excluded = bool(match["exclude"])
    if excluded and not rules.exclusion:
        _wrong(text, rules, f"{rules.family} cannot exclude devices with '-'")
    try:
        device = parse_device_name(match["name"])
    except OvmsError as error:
        _wrong(text, rules, error.details)
    if device.family in VIRTUAL_FAMILIES:
        _wrong(text, rules, f"{rules.family} cannot contain the virtual device {device.family}")
    count = None
    if match["count"] is not None:
        if not rules.count:
            _wrong(text, rules, f"{rules.family} takes no '(N)' after a device")
        if not match["count"].strip().isdigit() or int(match["count"]) < 1:
            _wrong(text, rules, f"the {rules.count} in '(N)' must be a positive integer")
        count = int(match["count"])
    return Entry(device, excluded, count)


def _wrong(text: str, rules: Rules, problem: str) -> NoReturn:
    raise OvmsError(
        StatusCode.DEVICE_WRONG_FORMAT, f"{problem} in {text!r}; for example {rules.example}"
    )
