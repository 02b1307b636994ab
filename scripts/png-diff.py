#!/usr/bin/env python3
"""png-diff.py A.png B.png: the share of pixels that differ, as "N.NN%".

Reads the 8-bit RGB/RGBA non-interlaced PNGs the kiosk writes, with the
standard library only (zlib and the five PNG row filters)."""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat, w, h, bpp = 8, b"", 0, 0, 3
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), "8-bit RGB(A) only"
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    wa, ha, ba, ra = pixels(sys.argv[1])
    wb, hb, bb, rb = pixels(sys.argv[2])
    if (wa, ha, ba) != (wb, hb, bb):
        print(f"100% (sizes {wa}x{ha} and {wb}x{hb})")
        return
    differ = 0
    for la, lb in zip(ra, rb):
        if la != lb:
            differ += sum(la[i:i + ba] != lb[i:i + ba] for i in range(0, len(la), ba))
    print(f"{100.0 * differ / (wa * ha):.2f}%")


main()
