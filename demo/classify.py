"""Classify an image with the demo model over KServe REST (binary tensor data).

Usage: python demo/classify.py [IMAGE] [--pipeline] [--url http://127.0.0.1:8000]
Without IMAGE, a generated landscape picture is used. By default the picture is preprocessed
here and sent as a tensor to the model; with --pipeline the encoded file itself is sent to the
open_nsfw_picture pipeline, whose image node does the preprocessing in the server.
"""

from __future__ import annotations

import argparse
import io
import json
import struct
import urllib.request

import numpy as np
from PIL import Image, ImageDraw

BGR_MEAN = np.array([104.0, 117.0, 123.0], dtype=np.float32)


def landscape() -> Image.Image:
    """A simple picture: sky, sun, hills and grass."""
    image = Image.new("RGB", (320, 240), (120, 180, 235))
    draw = ImageDraw.Draw(image)
    draw.ellipse((230, 30, 280, 80), fill=(250, 220, 90))
    draw.polygon(
        [(0, 170), (90, 110), (200, 165), (320, 120), (320, 240), (0, 240)], fill=(60, 140, 70)
    )
    draw.rectangle((0, 200, 320, 240), fill=(80, 160, 60))
    return image


def preprocess(image: Image.Image) -> np.ndarray:
    """Resize to 256, JPEG round trip, centre crop 224, BGR minus the training mean (NHWC)."""
    resized = image.convert("RGB").resize((256, 256), Image.BILINEAR)
    buffer = io.BytesIO()
    resized.save(buffer, format="JPEG")
    pixels = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"), np.float32)
    crop = pixels[16:240, 16:240, ::-1] - BGR_MEAN
    return np.ascontiguousarray(crop[np.newaxis])


def infer(url: str, name: str, inputs: list[dict[str, object]], tail: bytes) -> dict:
    """POST a KServe infer request whose tensors follow the JSON part as binary data."""
    header = json.dumps({"inputs": inputs}).encode()
    request = urllib.request.Request(
        f"{url}/v2/models/{name}/infer",
        data=header + tail,
        headers={"Inference-Header-Content-Length": str(len(header))},
    )
    with urllib.request.urlopen(request) as reply:
        return json.load(reply)


def classify_tensor(url: str, image: Image.Image) -> list[float]:
    """Preprocess here, send the float32 tensor to the model."""
    tensor = preprocess(image)
    with urllib.request.urlopen(f"{url}/v2/models/open_nsfw") as reply:
        input_name = json.load(reply)["inputs"][0]["name"]
    spec = {"name": input_name, "shape": list(tensor.shape), "datatype": "FP32",
            "parameters": {"binary_data_size": tensor.nbytes}}  # fmt: skip
    return infer(url, "open_nsfw", [spec], tensor.tobytes())["outputs"][0]["data"]


def classify_file(url: str, encoded: bytes) -> list[float]:
    """Send the encoded picture (one BYTES element: length, then bytes) to the pipeline."""
    tail = struct.pack("<I", len(encoded)) + encoded
    spec = {"name": "picture", "shape": [1], "datatype": "BYTES",
            "parameters": {"binary_data_size": len(tail)}}  # fmt: skip
    return infer(url, "open_nsfw_picture", [spec], tail)["outputs"][0]["data"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("image", nargs="?")
    parser.add_argument("--pipeline", action="store_true", help="send the file to the pipeline")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    if args.pipeline:
        if args.image:
            with open(args.image, "rb") as handle:
                encoded = handle.read()
        else:
            buffer = io.BytesIO()
            landscape().save(buffer, format="JPEG")
            encoded = buffer.getvalue()
        sfw, nsfw = classify_file(args.url, encoded)
    else:
        image = Image.open(args.image) if args.image else landscape()
        sfw, nsfw = classify_tensor(args.url, image)
    print(f"safe for work: {sfw:.3f}   not safe for work: {nsfw:.3f}")


if __name__ == "__main__":
    main()
