"""Classify an image with the demo model over KServe REST (binary tensor data).

Usage: python demo/classify.py [IMAGE] [--url http://127.0.0.1:8000]
Without IMAGE, a generated landscape picture is used.
"""

from __future__ import annotations

import argparse
import io
import json
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("image", nargs="?")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    image = Image.open(args.image) if args.image else landscape()
    tensor = preprocess(image)
    with urllib.request.urlopen(f"{args.url}/v2/models/open_nsfw") as reply:
        input_name = json.load(reply)["inputs"][0]["name"]
    header = json.dumps(
        {
            "inputs": [
                {"name": input_name, "shape": list(tensor.shape), "datatype": "FP32",
                 "parameters": {"binary_data_size": tensor.nbytes}}
            ]
        }
    ).encode()  # fmt: skip
    request = urllib.request.Request(
        f"{args.url}/v2/models/open_nsfw/infer",
        data=header + tensor.tobytes(),
        headers={"Inference-Header-Content-Length": str(len(header))},
    )
    with urllib.request.urlopen(request) as reply:
        answer = json.load(reply)
    sfw, nsfw = answer["outputs"][0]["data"]
    print(f"safe for work: {sfw:.3f}   not safe for work: {nsfw:.3f}")


if __name__ == "__main__":
    main()
