"""PNG's scanline filters undone: each row's filter type byte says how its bytes were predicted
from the bytes to the left (Sub), above (Up), both (Average, Paeth) or not at all (None)."""

from __future__ import annotations

from .errors import InvalidImage


def unfilter(raw: bytes, stride: int, height: int, bpp: int) -> list[bytes]:
    """The rows of filtered scanlines. None, Sub and Up are computed on whole rows held as
    integers (bytes added lane by lane without carries between them); Average and Paeth predict
    from the byte just decoded, so they run byte by byte, one byte position (lane) at a time."""
    if len(raw) < height * (stride + 1):
        raise InvalidImage("PNG image data is truncated")
    lanes = _Lanes(stride)
    rows: list[bytes] = []
    previous = zero = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = raw[start + 1 : start + 1 + stride]
        if kind == 0:
            row = line
        elif kind == 1:
            row = lanes.running_sum(line, bpp)
        elif kind == 2:  # a row the same as the one above (a writer's cheapest) needs no sum
            row = previous if line == zero else lanes.add(line, previous)
        elif kind in (3, 4):
            decoded = bytearray(stride)
            predict = _average_lane if kind == 3 else _paeth_lane
            for lane in range(bpp):
                decoded[lane::bpp] = predict(line[lane::bpp], previous[lane::bpp])
            row = bytes(decoded)
        else:
            raise InvalidImage(f"unknown PNG filter type {kind}")
        rows.append(row)
        previous = row
    return rows


class _Lanes:
    """Byte-wise arithmetic modulo 256 on rows of `stride` bytes, each row one big integer: the
    low seven bits of every byte are added, then the top bits set by exclusive or, so that no
    carry crosses from a byte into the next."""

    def __init__(self, stride: int) -> None:
        self.stride = stride
        self.low = int.from_bytes(b"\x7f" * stride, "big")
        self.high = int.from_bytes(b"\x80" * stride, "big")

    def _add(self, x: int, y: int) -> int:
        return ((x & self.low) + (y & self.low)) ^ ((x ^ y) & self.high)

    def add(self, line: bytes, previous: bytes) -> bytes:
        """Up: each byte plus the byte above."""
        total = self._add(int.from_bytes(line, "big"), int.from_bytes(previous, "big"))
        return total.to_bytes(self.stride, "big")

    def running_sum(self, line: bytes, bpp: int) -> bytes:
        """Sub: each byte plus the decoded byte bpp to its left, i.e. a running sum per lane,
        made in log2(stride / bpp) steps that each add the sums so far shifted by twice as far."""
        total, shift = int.from_bytes(line, "big"), bpp
        while shift < self.stride:
            total = self._add(total, total >> (8 * shift))
            shift *= 2
        return total.to_bytes(self.stride, "big")


def _average_lane(line: bytes, above: bytes) -> bytes:
    left = 0
    return bytes([left := (x + ((left + b) >> 1)) & 0xFF for x, b in zip(line, above, strict=True)])


def _paeth_lane(line: bytes, above: bytes) -> bytes:
    """Paeth for one lane: a is the decoded byte to the left, b the one above, c above-left.
    For p = a + b - c: |p - a| = |b - c|, |p - b| = |a - c| and |p - c| = |a + b - 2c|."""
    a = 0
    return bytes(
        [
            a := (
                x
                + (
                    a
                    if (pa := abs(b - c)) <= (pb := abs(a - c)) and pa <= abs(a + b - c - c)
                    else (b if pb <= abs(a + b - c - c) else c)
                )
            )
            & 0xFF
            for x, b, c in zip(line, above, b"\0" + above[:-1], strict=True)
        ]
    )
