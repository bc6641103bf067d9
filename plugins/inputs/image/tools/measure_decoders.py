"""Decode + resize speed and agreement of Pillow and OpenCV on 1080p pictures.

Makes a 1920x1080 picture (gradients, stripes, shapes and noise, so JPEG and PNG work as hard as
on a photo), encodes it as JPEG (quality 90) and PNG with OpenCV, then times, per library, the
decode of each file and its resize to 224x224 (bilinear) as binary inputs do, and compares the
pixels with OpenCV's (``imdecode`` + ``resize`` ``INTER_LINEAR``, what OVMS does). Prints the
minimum over ``--repeat`` runs in ms and the max/mean absolute pixel difference.

Usage: python measure_decoders.py [--repeat N]   (needs opencv-python-headless and pillow)
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image

SIZE = (224, 224)


def picture() -> np.ndarray:
    """A 1080p BGR picture with smooth areas, edges and texture."""
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:1080, 0:1920].astype(np.float32)
    image = np.stack(
        [x / 1920 * 255, y / 1080 * 255, 128 + 100 * np.sin(x / 37) * np.cos(y / 23)], axis=-1
    )
    for _ in range(40):
        cx, cy, r = rng.integers(0, 1920), rng.integers(0, 1080), rng.integers(20, 200)
        color = tuple(int(c) for c in rng.integers(0, 256, 3))
        cv2.circle(image, (int(cx), int(cy)), int(r), color, -1)
    image += rng.normal(0, 6, image.shape).astype(np.float32)
    return np.clip(image, 0, 255).astype(np.uint8)


def opencv(data: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    return cv2.resize(image, SIZE, interpolation=cv2.INTER_LINEAR)


def pillow(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as opened:
        image = opened.convert("RGB").resize(SIZE, Image.Resampling.BILINEAR)
    return np.asarray(image)[:, :, ::-1]  # BGR, as OVMS


def pillow_draft(data: bytes) -> np.ndarray:
    """Pillow with JPEG DCT scaling (``draft``), its fastest way to a small picture."""
    with Image.open(io.BytesIO(data)) as opened:
        opened.draft("RGB", SIZE)
        image = opened.convert("RGB").resize(SIZE, Image.Resampling.BILINEAR)
    return np.asarray(image)[:, :, ::-1]


def decode_only_opencv(data: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)


def decode_only_pillow(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as opened:
        return np.asarray(opened.convert("RGB"))


def best_ms(function: Callable[[bytes], np.ndarray], data: bytes, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(data)
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    cv2.setNumThreads(1)
    source = picture()
    files = {
        "JPEG": cv2.imencode(".jpg", source, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes(),
        "PNG": cv2.imencode(".png", source)[1].tobytes(),
    }
    print(f"opencv {cv2.__version__}, pillow {Image.__version__}, repeat {args.repeat}")
    for kind, data in files.items():
        print(f"{kind} 1920x1080, {len(data) / 1e6:.2f} MB")
        reference = opencv(data)
        ways = {
            "opencv decode": decode_only_opencv,
            "pillow decode": decode_only_pillow,
            "opencv decode+resize": opencv,
            "pillow decode+resize": pillow,
        }
        if kind == "JPEG":
            ways["pillow draft+resize"] = pillow_draft
        for name, function in ways.items():
            ms = best_ms(function, data, args.repeat)
            line = f"  {name:22} {ms:7.2f} ms"
            if "resize" in name:
                diff = np.abs(function(data).astype(np.int16) - reference.astype(np.int16))
                line += f"  vs opencv: max {diff.max()}, mean {diff.mean():.3f}"
            print(line)
        full = np.abs(
            decode_only_pillow(data)[:, :, ::-1].astype(np.int16)
            - decode_only_opencv(data).astype(np.int16)
        )
        print(f"  decoded pixels pillow vs opencv: max {full.max()}, mean {full.mean():.4f}")


if __name__ == "__main__":
    main()
