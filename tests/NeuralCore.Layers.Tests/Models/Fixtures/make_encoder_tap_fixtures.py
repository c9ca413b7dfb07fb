#!/usr/bin/python3
"""Keras-semantics references for the three pretrained encoders' taps, for EncoderWeightLayoutTests.

The encoders are the PyTorch twins of make_seed_model_fixtures.py (TF 'same' paddings written out, BN epsilon 1e-3 and
ReLU6 for MobileNetV2, 1.001e-5 for DenseNet121), in float64, with every weight from the same formula as FormulaWeights.cs
numbered in the encoder's own Keras weight order, and the formula input at 32x32 (batch 2). No weights are stored.

encoder_taps.npz holds, for each encoder <e> and tap <t> (NHWC):
  <e>/<t>/samples   1024 elements at the centres of 1024 equal slices of the flat tap, float32
  <e>/<t>/max_abs   the largest |element| of the whole tap (the scale of the tolerance), float64
  <e>/<t>/shape     the tap's NHWC shape, int64
Run: /usr/bin/python3 make_encoder_tap_fixtures.py (writes next to this script; a few seconds)
"""
import os

import numpy as np
import torch

import make_seed_model_fixtures as seeds

SIZE, SAMPLES = 32, 1024


def captured_encoder(build):
    """Builds a seed U-Net only up to its encoder (built first, so its tensors are numbered from 0) and returns it."""
    captured = {}

    def capture(net, encoder, taps):
        captured["encoder"], captured["taps"] = encoder, [name for name, _ in taps]
    original, seeds.encoder_unet = seeds.encoder_unet, capture
    try:
        build(seeds.Net())
    finally:
        seeds.encoder_unet = original
    return lambda x: captured["encoder"](x, set(captured["taps"])), captured["taps"]


def vgg16():
    pools = seeds.vgg16(seeds.Net())
    names = [f"block{b}_pool" for b in range(1, 6)]
    return lambda x: dict(zip(names, pools(x))), names


ENCODERS = {"mobilenetv2": lambda: captured_encoder(seeds.unet_mobilenetv2),
            "densenet121": lambda: captured_encoder(seeds.unet_densenet121),
            "vgg16": vgg16}


def main():
    out = {}
    x = seeds.formula_input(SIZE)
    for name, make in ENCODERS.items():
        encoder, taps = make()
        with torch.no_grad():
            found = encoder(x)
        for tap in taps:
            nhwc = found[tap].permute(0, 2, 3, 1).numpy()
            flat = nhwc.reshape(-1)
            picks = (2 * np.arange(SAMPLES) + 1) * flat.size // (2 * SAMPLES)
            out[f"{name}/{tap}/samples"] = flat[picks].astype(np.float32)
            out[f"{name}/{tap}/max_abs"] = np.array(np.abs(flat).max())
            out[f"{name}/{tap}/shape"] = np.array(nhwc.shape, dtype=np.int64)
            print(f"{name} {tap}: {nhwc.shape}, max |x| {np.abs(flat).max():.4g}")
    np.savez_compressed(os.path.join(os.path.dirname(os.path.abspath(__file__)), "encoder_taps.npz"), **out)


if __name__ == "__main__":
    main()
