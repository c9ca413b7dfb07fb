#!/usr/bin/env python3
"""PyTorch on CUDA for the shapes `bench -- gpu` measures: eager mode, cuDNN, PyTorch's default TF32 settings
(cuDNN convolutions may use TF32; matmul stays FP32 unless torch.backends.cuda.matmul.allow_tf32 is set).

    python3 bench/Gpu/torch_gpu_bench.py --out torch_gpu.json [--batch 32]

Keys of "ops" are "<catalog op>|<catalog case label>" so the C# table can join them. Activations are NCHW (PyTorch's
default layout); TF 'same' padding of the 4x4 stride-2 convolution is the symmetric pad 1 (same output size).
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models  # noqa: E402

DEV = "cuda"


def median_ms(fn, warmup=3, iters=20):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def randn(*shape):
    return torch.randn(*shape, device=DEV)


def conv_rows(ops, label, n, cin, h, w, cout, k, stride, pad, groups=1):
    x, wt = randn(n, cin, h, w), randn(cout, cin // groups, k, k)
    y = F.conv2d(x, wt, stride=stride, padding=pad, groups=groups)
    dy = torch.randn_like(y)
    ops[f"conv2d|{label}"] = median_ms(lambda: F.conv2d(x, wt, stride=stride, padding=pad, groups=groups))
    back = lambda mask: torch.ops.aten.convolution_backward(dy, x, wt, None, [stride] * 2, [pad] * 2, [1, 1], False, [0, 0], groups, mask)
    ops[f"conv2d_backward_input|{label}"] = median_ms(lambda: back([True, False, False]))
    ops[f"conv2d_backward_weight|{label}"] = median_ms(lambda: back([False, True, False]))


def conv_transpose_rows(ops, label, n, cin, h, w, cout, k):
    # Keras Conv2DTranspose(stride 2, 'same'): output 2H x 2W.
    pad, out_pad = (k - 1) // 2 if k % 2 else k // 2 - 1, 1 if k % 2 else 0
    x, wt = randn(n, cin, h, w), randn(cin, cout, k, k)
    run = lambda: F.conv_transpose2d(x, wt, stride=2, padding=pad, output_padding=out_pad)
    y = run()
    dy = torch.randn_like(y)
    ops[f"conv_transpose2d|{label}"] = median_ms(run)
    back = lambda mask: torch.ops.aten.convolution_backward(dy, x, wt, None, [2, 2], [pad] * 2, [1, 1], True, [out_pad] * 2, 1, mask)
    ops[f"conv_transpose2d_backward_input|{label}"] = median_ms(lambda: back([True, False, False]))
    ops[f"conv_transpose2d_backward_weight|{label}"] = median_ms(lambda: back([False, True, False]))


def op_rows():
    ops = {}
    conv_rows(ops, "3x3 64->64", 8, 64, 128, 128, 64, 3, 1, 1)
    conv_rows(ops, "3x3 256->256", 8, 256, 32, 32, 256, 3, 1, 1)
    conv_rows(ops, "depthwise 3x3 144", 8, 144, 32, 32, 144, 3, 1, 1, groups=144)
    conv_rows(ops, "1x1 96->24", 8, 96, 64, 64, 24, 1, 1, 0)
    conv_rows(ops, "4x4 s2 128->256 (pix2pix down)", 8, 128, 64, 64, 256, 4, 2, 1)
    conv_transpose_rows(ops, "3x3 s2 160->3 (U-Net logits)", 8, 160, 64, 64, 3, 3)
    conv_transpose_rows(ops, "3x3 s2 512->256", 8, 512, 8, 8, 256, 3)
    conv_transpose_rows(ops, "4x4 s2 512->256", 8, 512, 16, 16, 256, 4)

    x = randn(8, 64, 128, 128)
    bn = torch.nn.BatchNorm2d(64).to(DEV)
    ops["batch_norm|large train"] = median_ms(lambda: bn(x))
    xg = x.clone().requires_grad_()
    y = bn(xg)
    dy = torch.randn_like(y)
    ops["batch_norm_backward|large train"] = median_ms(lambda: torch.autograd.grad(y, [xg] + list(bn.parameters()), dy, retain_graph=True))
    ops["max_pool2d|2x2 s2 large"] = median_ms(lambda: F.max_pool2d(x, 2))
    ops["relu|large"] = median_ms(lambda: F.relu(x))
    a, b = randn(8, 64, 64, 64), randn(8, 64, 64, 64)
    ops["add|large"] = median_ms(lambda: a + b)
    ops["concat|U-Net skip large"] = median_ms(lambda: torch.cat([a, b], 1))
    logits, labels = randn(8, 3, 128, 128), torch.randint(0, 3, (8, 128, 128), device=DEV)
    ops["softmax_cross_entropy|pets 128x128"] = median_ms(lambda: F.cross_entropy(logits, labels))
    m1, m2 = randn(1024, 1024), randn(1024, 1024)
    ops["matmul|1024 cube"] = median_ms(lambda: m1 @ m2)
    p = torch.nn.Parameter(randn(10_000_000))
    p.grad = randn(10_000_000)
    adam = torch.optim.Adam([p], lr=1e-3, eps=1e-7, fused=True)
    ops["adam_update|1 x 10M"] = median_ms(adam.step)
    return ops


def gemm_tflops():
    n = 4096
    a, b = randn(n, n), randn(n, n)
    return 2 * n ** 3 / (median_ms(lambda: a @ b) * 1e9)


KEYS = {"unet-mobilenetv2": "a", "unet-pix2pix": "b", "unet": "c", "fcn8-vgg16": "d", "unet-densenet121": "e"}


def model_rates(batch):
    rates = {}
    for name, key in KEYS.items():
        model, nc, size = torch_models.build(key)
        model = model.to(DEV).train()
        opt = torch_models.make_optimizer(key, model.parameters())
        x = torch.randn(batch, 3, size, size, device=DEV)
        y = torch.randint(0, nc, (batch, size, size), device=DEV)

        def step():
            opt.zero_grad(set_to_none=True)
            torch_models.loss_fn(model(x), y).backward()
            opt.step()

        rates[name] = batch * 1e3 / median_ms(step, warmup=3, iters=10)
        print(f"  {name}: {rates[name]:.1f} img/s", file=sys.stderr)
        del model, opt
        torch.cuda.empty_cache()
    return rates


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    result = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__,
              "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32, "matmul_allow_tf32": torch.backends.cuda.matmul.allow_tf32,
              "gemm_tflops": gemm_tflops(), "ops": op_rows(), "models": model_rates(args.batch)}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps({k: v for k, v in result.items() if k != "ops"}, indent=1))


if __name__ == "__main__":
    main()
