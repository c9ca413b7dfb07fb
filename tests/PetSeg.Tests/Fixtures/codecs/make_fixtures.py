#!/usr/bin/python3
"""Makes the codec fixtures for tests/PetSeg.Tests/Codecs (run with /usr/bin/python3 from this folder).

JPEG: small synthetic images are encoded with libjpeg-turbo's cjpeg (and Pillow for CMYK) in many variants and
decoded with djpeg (libjpeg-turbo 2.1.5, default options: islow IDCT, fancy upsampling). The reference decode is
stored as gzipped PNM (`<name>.jpg.ref.pnm.gz`) so the tests read it without the PNG decoder under test.
PNG: a tiny PNG writer below emits every colour type, bit depth, filter type and Adam7 interlacing (Pillow can
not write all of them); the expected 8-bit pixels are computed from the source arrays (`<name>.png.ref.pnm.gz`,
P5 gray, P6 RGB, P7 RGBA) and cross-checked against Pillow where Pillow decodes the format faithfully.
Also writes the bad-input files and the segmentation-mask files. Requires numpy, Pillow, cjpeg and djpeg.
"""
import gzip
import os
import struct
import subprocess
import tempfile
import zlib

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
TMP = tempfile.mkdtemp()
rng = np.random.default_rng(1234)


def natural(w, h, seed):
    """Smooth gradients, a few soft blobs and mild noise: looks like a photo to a JPEG codec."""
    r = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w, 3))
    for c in range(3):
        img[..., c] = 128 + 90 * np.sin(x / w * r.uniform(2, 6) + c) * np.cos(y / h * r.uniform(2, 5) - c)
        for _ in range(3):
            cx, cy, s = r.uniform(0, w), r.uniform(0, h), r.uniform(3, 10)
            img[..., c] += r.uniform(-80, 80) * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s))
    img += r.normal(0, 6, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def write_pnm_gz(path, arr):
    arr = np.ascontiguousarray(arr, dtype=np.uint8)
    h, w = arr.shape[:2]
    c = 1 if arr.ndim == 2 else arr.shape[2]
    if c == 4:
        header = f"P7\nWIDTH {w}\nHEIGHT {h}\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n"
    else:
        header = f"{'P5' if c == 1 else 'P6'}\n{w} {h}\n255\n"
    with gzip.GzipFile(path, "wb", mtime=0) as f:
        f.write(header.encode() + arr.tobytes())


def read_pnm(data):
    """Parses djpeg's P5/P6 output."""
    parts = data.split(maxsplit=4)
    w, h = int(parts[1]), int(parts[2])
    pixels = np.frombuffer(parts[4], dtype=np.uint8)
    return pixels.reshape(h, w) if parts[0] == b"P5" else pixels.reshape(h, w, 3)


def out(name):
    return os.path.join(HERE, name)


# ---------------------------------------------------------------- JPEG
def cjpeg(src, name, *args):
    gray = "-grayscale" in args
    ppm = os.path.join(TMP, f"{name}.{'pgm' if gray else 'ppm'}")
    Image.fromarray(src).convert("L" if gray else "RGB").save(ppm)
    data = subprocess.run(["cjpeg", *args, ppm], check=True, capture_output=True).stdout
    return data


def add_jpeg(name, data):
    path = out(name + ".jpg")
    with open(path, "wb") as f:
        f.write(data)
    ref = subprocess.run(["djpeg", "-pnm", path], check=True, capture_output=True).stdout
    write_pnm_gz(path + ".ref.pnm.gz", read_pnm(ref))


def make_jpegs():
    scans = os.path.join(TMP, "separate.scans")
    with open(scans, "w") as f:
        f.write("0;\n1;\n2;\n")  # baseline, one component per scan (non-interleaved)
    big = natural(100, 75, 1)
    mid = natural(33, 29, 2)
    tiny = natural(17, 13, 3)
    aligned = natural(64, 48, 4)
    variants = {
        "444": ["-sample", "1x1"],
        "420": ["-sample", "2x2"],
        "422": ["-sample", "2x1"],
        "440": ["-sample", "1x2"],
        "411": ["-sample", "4x1"],
        "h4v2": ["-sample", "4x2"],
        "gray": ["-grayscale"],
        "prog420": ["-progressive", "-sample", "2x2"],
        "prog444": ["-progressive", "-sample", "1x1"],
        "restart420": ["-restart", "3B", "-sample", "2x2"],
        "optimized": ["-optimize", "-quality", "95"],
        "rgb": ["-rgb"],
        "separate420": ["-scans", scans, "-sample", "2x2"],
        "q1_sof1": ["-quality", "1"],  # quantisation steps > 255: 16-bit DQT tables in an SOF1 frame
    }
    # Every variant on an odd size; a few on a larger image and an MCU-aligned one (refs cost ~20 KB each).
    for variant, args in variants.items():
        add_jpeg(f"jpeg_33x29_{variant}", cjpeg(mid, variant, *args))
    for variant in ["444", "420", "prog420"]:
        add_jpeg(f"jpeg_100x75_{variant}", cjpeg(big, variant, *variants[variant]))
    for variant in ["420", "422"]:
        add_jpeg(f"jpeg_64x48_{variant}", cjpeg(aligned, variant, *variants[variant]))
    for variant in ["420", "prog420", "restart420"]:
        add_jpeg(f"jpeg_17x13_{variant}", cjpeg(tiny, variant, *variants[variant]))
    # Tiny images: chroma planes 1 or 2 samples wide, where libjpeg falls back from fancy upsampling.
    for w, h in [(1, 1), (3, 5), (4, 2), (6, 3)]:
        small = natural(w, h, w * 10 + h)
        for variant in ["420", "422", "440"]:
            add_jpeg(f"jpeg_{w}x{h}_{variant}", cjpeg(small, variant, *variants[variant]))
    add_jpeg("jpeg_17x13_restart1row_gray", cjpeg(tiny, "r1", "-grayscale", "-restart", "1"))
    add_jpeg("jpeg_17x13_arith", cjpeg(tiny, "arith", "-arithmetic"))  # arithmetic coding (SOF9)
    add_jpeg("jpeg_33x29_progrestart", cjpeg(mid, "pr", "-progressive", "-restart", "2B"))

    # Pillow: progressive with restart markers; CMYK (Pillow writes Adobe APP14 and inverted CMYK).
    buf = os.path.join(TMP, "pil.jpg")
    Image.fromarray(big).save(buf, quality=85, progressive=True, restart_marker_blocks=5, subsampling=2)
    add_jpeg("jpeg_100x75_pil_progrestart", open(buf, "rb").read())
    cmyk = Image.fromarray(mid).convert("CMYK")
    cmyk_arr = np.array(cmyk)
    cmyk_arr[..., 3] = np.linspace(0, 120, 33, dtype=np.uint8)[None, :]  # some black ink too
    Image.fromarray(cmyk_arr, "CMYK").save(buf, quality=95)
    with open(out("jpeg_33x29_cmyk.jpg"), "wb") as f:
        f.write(open(buf, "rb").read())
    # Reference: Pillow's own decode + CMYK -> RGB conversion (djpeg cannot write CMYK as PNM).
    write_pnm_gz(out("jpeg_33x29_cmyk.jpg.ref.pnm.gz"), np.array(Image.open(buf).convert("RGB")))

    # YCCK: the same file with the Adobe transform flag set to 2. libjpeg (inside Pillow) then treats the
    # components as YCCK, converts them to CMYK, and Pillow converts that to RGB: a reference for our YCCK path.
    data = bytearray(open(buf, "rb").read())
    adobe = data.index(b"Adobe")
    assert data[adobe + 11] == 0
    data[adobe + 11] = 2
    with open(out("jpeg_33x29_ycck.jpg"), "wb") as f:
        f.write(bytes(data))
    write_pnm_gz(out("jpeg_33x29_ycck.jpg.ref.pnm.gz"), np.array(Image.open(out("jpeg_33x29_ycck.jpg")).convert("RGB")))



# ---------------------------------------------------------------- PNG
def chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def pack_row(samples, depth):
    """samples: 1-D array of integer samples of one row; returns the packed bytes."""
    if depth == 16:
        return samples.astype(">u2").tobytes()
    if depth == 8:
        return samples.astype(np.uint8).tobytes()
    per_byte = 8 // depth
    padded = np.zeros(-(-len(samples) // per_byte) * per_byte, dtype=np.int64)
    padded[: len(samples)] = samples
    padded = padded.reshape(-1, per_byte)
    shifts = np.arange(per_byte - 1, -1, -1) * depth
    return (padded << shifts).sum(axis=1).astype(np.uint8).tobytes()


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filter_row(kind, row, prev, bpp):
    out_row = bytearray(len(row))
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out_row[i] = (x - pred) & 0xFF
    return bytes(out_row)


def encode_image_rows(samples, depth, channels, first_filter):
    """samples: [h, w*channels] ints. Filters cycle through all five types, starting at first_filter."""
    bpp = max(1, depth * channels // 8)
    raw = b""
    prev = None
    for y, row in enumerate(samples):
        packed = pack_row(row, depth)
        prev = prev if prev is not None else bytes(len(packed))
        kind = (first_filter + y) % 5
        raw += bytes([kind]) + filter_row(kind, packed, prev, bpp)
        prev = packed
    return raw


def write_png(path, samples, color_type, depth, interlace=False, palette=None, trns=None, idat_parts=3):
    """samples: [h, w, channels] ints at the file's bit depth."""
    h, w, ch = samples.shape
    if interlace:
        raw = b""
        for p, (x0, y0, dx, dy) in enumerate(ADAM7):
            sub = samples[y0::dy, x0::dx]
            if sub.size:
                raw += encode_image_rows(sub.reshape(sub.shape[0], -1), depth, ch, p)
    else:
        raw = encode_image_rows(samples.reshape(h, -1), depth, ch, 0)
    body = zlib.compress(raw, 9)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, int(interlace)))
    if palette is not None:
        png += chunk(b"PLTE", bytes(np.asarray(palette, dtype=np.uint8).ravel()))
    if trns is not None:
        png += chunk(b"tRNS", trns)
    png += chunk(b"tEXt", b"Comment\x00codec fixture")
    step = -(-len(body) // idat_parts)
    for i in range(0, len(body), step):
        png += chunk(b"IDAT", body[i:i + step])
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def to8(samples, depth):
    if depth == 16:
        return np.floor(samples / 257 + 0.5).astype(np.uint8)
    return (samples * (255 // ((1 << depth) - 1))).astype(np.uint8)


def add_png(name, samples, color_type, depth, expected, interlace=False, palette=None, trns=None, pil_check=True):
    path = out(name + ".png")
    write_png(path, samples, color_type, depth, interlace, palette, trns)
    write_pnm_gz(path + ".ref.pnm.gz", expected)
    if pil_check:
        mode = {1: "L", 3: "RGB", 4: "RGBA"}[1 if expected.ndim == 2 else expected.shape[2]]
        got = np.array(Image.open(path).convert(mode))
        assert np.array_equal(got, expected), f"Pillow disagrees with the expected pixels of {name}"


def make_pngs():
    w, h = 13, 11
    for interlace in (False, True):
        tag = "_adam7" if interlace else ""
        for depth in (1, 2, 4, 8, 16):
            g = rng.integers(0, 1 << depth, (h, w, 1))
            add_png(f"png_gray{depth}{tag}", g, 0, depth, to8(g, depth)[..., 0], interlace, pil_check=depth < 16)
        for depth in (8, 16):
            rgb = rng.integers(0, 1 << depth, (h, w, 3))
            add_png(f"png_rgb{depth}{tag}", rgb, 2, depth, to8(rgb, depth), interlace, pil_check=depth < 16)
            ga = rng.integers(0, 1 << depth, (h, w, 2))
            e = to8(ga, depth)
            add_png(f"png_graya{depth}{tag}", ga, 4, depth, np.dstack([e[..., 0]] * 3 + [e[..., 1]]), interlace,
                    pil_check=depth < 16)
            rgba = rng.integers(0, 1 << depth, (h, w, 4))
            add_png(f"png_rgba{depth}{tag}", rgba, 6, depth, to8(rgba, depth), interlace, pil_check=depth < 16)
        for depth in (1, 2, 4, 8):
            n = min(1 << depth, 40)
            pal = rng.integers(0, 256, (n, 3))
            idx = rng.integers(0, n, (h, w, 1))
            add_png(f"png_palette{depth}{tag}", idx, 3, depth, pal[idx[..., 0]].astype(np.uint8), interlace, palette=pal)
    # Palette with tRNS (alpha for the first entries only), gray and RGB with a transparent colour key.
    pal = rng.integers(0, 256, (20, 3))
    alpha = np.full(20, 255)
    alpha[:7] = rng.integers(0, 256, 7)
    idx = rng.integers(0, 20, (h, w, 1))
    expected = np.dstack([pal[idx[..., 0]], alpha[idx[..., 0]]]).astype(np.uint8)
    add_png("png_palette8_trns", idx, 3, 8, expected, palette=pal, trns=bytes(alpha[:7].astype(np.uint8)))
    g = rng.integers(0, 4, (h, w, 1)) * 60
    e = g[..., 0].astype(np.uint8)
    add_png("png_gray8_trns", g, 0, 8, np.dstack([e, e, e, np.where(e == 120, 0, 255).astype(np.uint8)]),
            trns=struct.pack(">H", 120))
    rgb = rng.integers(0, 2, (h, w, 3)) * 200
    key = np.all(rgb == [200, 0, 200], axis=2)
    add_png("png_rgb8_trns", rgb, 2, 8, np.dstack([rgb, np.where(key, 0, 255)]).astype(np.uint8),
            trns=struct.pack(">HHH", 200, 0, 200))
    # A 1-pixel Adam7 image (most passes empty) and a wide 16-bit interlaced one.
    one = np.array([[[77]]])
    add_png("png_gray8_adam7_1x1", one, 0, 8, one[..., 0].astype(np.uint8), True)

    # Segmentation masks: an Oxford-style trimap (gray 1, 2, 3) and an indexed clothing mask (ids 0..58).
    trimap = rng.integers(1, 4, (9, 12))
    Image.fromarray(trimap.astype(np.uint8), "L").save(out("mask_trimap.png"))
    ids = rng.integers(0, 59, (9, 12)).astype(np.uint8)
    mask = Image.fromarray(ids, "P")
    mask.putpalette(list(rng.integers(0, 256, 59 * 3).astype(np.uint8)))
    mask.save(out("mask_indexed.png"))
    write_pnm_gz(out("mask_trimap.png.ref.pnm.gz"), trimap.astype(np.uint8))
    write_pnm_gz(out("mask_indexed.png.ref.pnm.gz"), ids)


def make_bad_files():
    good = open(out("jpeg_33x29_420.jpg"), "rb").read()
    open(out("bad_truncated.jpg"), "wb").write(good[: len(good) * 2 // 3])
    png = open(out("png_rgb8.png"), "rb").read()
    open(out("bad_truncated.png"), "wb").write(png[: len(png) - 40])
    corrupt = bytearray(png)
    corrupt[png.index(b"IDAT") + 6] ^= 0x55  # inside the first IDAT chunk's data: its CRC no longer matches
    open(out("bad_crc.png"), "wb").write(bytes(corrupt))
    open(out("bad_empty.jpg"), "wb").write(b"")
    Image.new("RGB", (4, 4), (255, 0, 0)).save(out("bad_gif.jpg"), format="GIF")
    Image.new("RGB", (4, 4), (255, 0, 0)).save(out("bad_bmp.png"), format="BMP")
    # Headers that claim absurd sizes; the decoders must refuse them before allocating.
    huge_png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))
    open(out("bad_huge.png"), "wb").write(huge_png + chunk(b"IEND", b""))
    sof = bytearray(good)
    i = sof.index(b"\xff\xc0")
    sof[i + 5:i + 9] = struct.pack(">HH", 60000, 60000)
    open(out("bad_huge.jpg"), "wb").write(bytes(sof))


if __name__ == "__main__":
    make_jpegs()
    make_pngs()
    make_bad_files()
    total = sum(os.path.getsize(out(f)) for f in os.listdir(HERE))
    print(f"{len(os.listdir(HERE))} files, {total} bytes")
