"""Locating model files inside a version folder, in the OVMS detection order."""

from __future__ import annotations

import os

from ovms_core.base.errors import OvmsError
from ovms_core.base.status_codes import StatusCode

__all__ = ["find_model_file"]


def find_model_file(folder: str) -> str:
    """The path to pass to ``Core.read_model`` for the model stored in ``folder``.

    Order: ``.xml`` with ``.bin``, ``.onnx``, ``.pdmodel`` with ``.pdiparams``, ``.pb``
    (``saved_model.pb`` means the folder, even beside other ``.pb`` files such as the
    ``fingerprint.pb`` TensorFlow writes), ``.tflite``.
    """
    try:
        names = sorted(os.listdir(folder))
    except OSError as error:
        raise OvmsError(StatusCode.FILE_INVALID, f"{folder}: {error.strerror}") from None

    def first(suffix: str) -> str | None:
        return next((n for n in names if n.endswith(suffix)), None)

    xml = first(".xml")
    if xml and first(".bin"):
        return os.path.join(folder, xml)
    for suffix in (".onnx",):
        found = first(suffix)
        if found:
            return os.path.join(folder, found)
    pdmodel = first(".pdmodel")
    if pdmodel and first(".pdiparams"):
        return os.path.join(folder, pdmodel)
    if "saved_model.pb" in names:
        return folder
    pb = first(".pb")
    if pb:
        return os.path.join(folder, pb)
    tflite = first(".tflite")
    if tflite:
        return os.path.join(folder, tflite)
    raise OvmsError(StatusCode.FILE_INVALID, f"Could not find file for model in {folder}")
