"""A small picture as PNG bytes, with numpy and the standard library's zlib alone.

    >>> import numpy as np
    >>> from lessons.png import encode
    >>> encode(np.zeros((2, 3, 3), dtype=np.uint8))[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'

The network page draws each unit's output over the plane as a 30×30 picture, several times a
second: as PNG (8-bit RGB, one zlib stream, no filter) a smooth picture is a kilobyte or two,
where the same numbers as a Plotly heatmap would be ten times that.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

__all__ = ["encode"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode(rgb: np.ndarray) -> bytes:
    """PNG bytes of an (height, width, 3) array of 0-255 values, row 0 at the top."""
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or not rgb.shape[0] or not rgb.shape[1]:
        raise ValueError(f"a picture must have shape (height, width, 3), not {rgb.shape}")
    height, width, _ = rgb.shape
    rows = np.ascontiguousarray(rgb, dtype=np.uint8).reshape(height, width * 3)
    raw = np.hstack([np.zeros((height, 1), dtype=np.uint8), rows]).tobytes()  # filter 0 before each row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit, truecolour, no interlace
    return _SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")
