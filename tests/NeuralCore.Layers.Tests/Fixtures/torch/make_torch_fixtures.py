#!/usr/bin/env python3
"""Makes the PyTorch checkpoint fixtures for tests/NeuralCore.Layers.Tests/Import/Torch.

Made with the Debian PyTorch 1.13 / torchvision 0.14 / numpy 1.24. Every checkpoint `<name>.pth` gets a sidecar
`<name>.expected.npz` with each tensor as the reader must return it: C-contiguous, keyed by its flattened name
(nested dict keys joined with '.'), in checkpoint order. Dtypes numpy lacks are stored as the reader widens them:
bfloat16 -> float32, int8/int16 -> int32, bool -> uint8.

`layouts.npz` holds small PyTorch ops (conv, depthwise conv, transposed conv, linear) with their inputs, weights
and outputs, so the layout conversions are checked by running our own kernels on the converted weights.

Run from this folder:  /usr/bin/python3 make_torch_fixtures.py
"""
import collections
import io
import os
import pickle
import zipfile

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torchvision.models.mobilenetv2 import InvertedResidual
from torchvision.models.resnet import BasicBlock
from torchvision.ops.misc import Conv2dNormActivation, FrozenBatchNorm2d

torch.manual_seed(1234)


def numpy_of(tensor):
    """The value the reader must produce, in a dtype numpy and our RawTensor know."""
    widened = {torch.bfloat16: torch.float32, torch.int8: torch.int32, torch.int16: torch.int32, torch.bool: torch.uint8}
    return tensor.detach().to(widened.get(tensor.dtype, tensor.dtype)).contiguous().numpy()


def flatten(value, prefix=""):
    """Tensors of nested dicts/lists in pickling order, named as the reader names them."""
    if isinstance(value, torch.Tensor):
        yield prefix, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from flatten(item, f"{prefix}.{index}" if prefix else str(index))


def save(name, obj, **kwargs):
    torch.save(obj, f"{name}.pth", **kwargs)
    np.savez(f"{name}.expected.npz", **{key: numpy_of(t) for key, t in flatten(obj)})


def dtypes():
    sd = collections.OrderedDict()
    sd["f32"] = torch.randn(2, 3)
    sd["f16"] = torch.tensor([0.5, -1.0, 2.0, 65504.0], dtype=torch.float16)
    sd["f64"] = torch.arange(6, dtype=torch.float64).reshape(3, 2) / 3
    sd["bf16"] = torch.tensor([1.5, -2.0, 3.140625], dtype=torch.bfloat16)
    sd["i64"] = torch.tensor([-9000000000, 1, 2], dtype=torch.int64)
    sd["i32"] = torch.tensor([[1, -2], [3, -4]], dtype=torch.int32)
    sd["i16"] = torch.tensor([-300, 300], dtype=torch.int16)
    sd["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    sd["u8"] = torch.tensor([0, 1, 254, 255], dtype=torch.uint8)
    sd["bool"] = torch.tensor([True, False, True])
    sd["scalar"] = torch.tensor(2.5)
    sd["param"] = torch.nn.Parameter(torch.randn(4))
    sd["empty"] = torch.zeros(0, 3)
    return sd


def views():
    """Tensors sharing one storage at offsets, transposed, strided and broadcast (stride 0)."""
    base = torch.arange(24, dtype=torch.float32)
    return collections.OrderedDict([
        ("base", base),
        ("window", base[3:7]),
        ("block", base[10:16].view(2, 3)),
        ("transposed", base[:12].view(3, 4).t()),
        ("every_third", base[1::3]),
        ("corner", base.view(4, 6)[1:3, 2:5]),
        ("broadcast", torch.tensor([7.0, 8.0, 9.0]).expand(2, 3)),
        ("channels_last", torch.arange(16, dtype=torch.float32).view(1, 4, 2, 2).to(memory_format=torch.channels_last)),
    ])


def nested():
    """A training checkpoint: model and optimizer state, with numbers, strings, tuples and lists besides tensors."""
    model = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 1), torch.nn.BatchNorm2d(3))
    return {
        "epoch": 7,
        "model": model.state_dict(),
        "optimizer": {"lr": 0.001, "betas": (0.9, 0.999), "amsgrad": False, "name": None},
        "history": [torch.tensor([0.5, 0.25]), 1.5, "note"],
        "tag": "run-1",
    }


class TorchvisionBlocks(torch.nn.Module):
    """A tiny network made of torchvision's own building blocks (MobileNetV2 and ResNet blocks, frozen BN)."""

    def __init__(self):
        super().__init__()
        self.stem = Conv2dNormActivation(3, 8, 3, stride=2, activation_layer=torch.nn.ReLU6)
        self.inverted = InvertedResidual(8, 8, 1, 2)
        self.basic = BasicBlock(8, 8)
        self.frozen = FrozenBatchNorm2d(8)
        self.up = torch.nn.ConvTranspose2d(8, 4, 3, stride=2)
        self.head = torch.nn.Linear(4, 3)


    def forward(self, x):
        """The head is left out: its weight is only read, not run."""
        return self.up(self.frozen(self.basic(self.inverted(self.stem(x)))))


def torchvision_blocks():
    """The state dict, and an input with the output PyTorch computes from it (9x9: odd sizes make PyTorch's
    symmetric padding equal TensorFlow's 'same', so our twin can use Keras padding)."""
    model = TorchvisionBlocks()
    for module in model.modules():  # non-trivial statistics, so a swapped mean/var shows
        if isinstance(module, (torch.nn.BatchNorm2d, FrozenBatchNorm2d)):
            module.weight.data.uniform_(0.5, 1.5)
            module.bias.data.uniform_(-0.5, 0.5)
            module.running_mean.uniform_(-1, 1)
            module.running_var.uniform_(0.5, 2)
    model.eval()
    x = torch.randn(1, 3, 9, 9)
    with torch.no_grad():
        np.savez("torchvision_blocks.io.npz", x=x.numpy(), y=model(x).numpy())
    return model.state_dict()


def malicious():
    """A zip laid out like torch.save whose pickle calls os.system when loaded by pickle.load; never loaded here."""
    class Payload:
        def __reduce__(self):
            return os.system, ("echo pwned",)

    payload = pickle.dumps(collections.OrderedDict([("weight", Payload())]), protocol=2)
    with zipfile.ZipFile("malicious.pth", "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("malicious/data.pkl", payload)
        archive.writestr("malicious/version", "3\n")


def layouts():
    """PyTorch ops whose weights our layout conversions must reproduce (NCHW tensors, as PyTorch stores them)."""
    out = {}
    x = torch.randn(2, 3, 5, 6)
    w = torch.randn(4, 3, 3, 2)
    out.update(conv_x=x, conv_w=w, conv_y=F.conv2d(x, w))
    xd = torch.randn(1, 3, 5, 5)
    wd = torch.randn(6, 1, 3, 3)  # depthwise, multiplier 2: output channel c*2+m reads input channel c
    out.update(dw_x=xd, dw_w=wd, dw_y=F.conv2d(xd, wd, groups=3))
    xt = torch.randn(2, 3, 4, 3)
    wt = torch.randn(3, 5, 3, 3)  # [Cin, Cout, KH, KW]
    out.update(convt_x=xt, convt_w=wt, convt_y=F.conv_transpose2d(xt, wt, stride=2))
    xl = torch.randn(2, 4)
    wl = torch.randn(3, 4)  # [out, in]
    out.update(linear_x=xl, linear_w=wl, linear_y=F.linear(xl, wl))
    np.savez("layouts.npz", **{k: v.numpy() for k, v in out.items()})


if __name__ == "__main__":
    print("torch", torch.__version__, "torchvision", torchvision.__version__)
    save("dtypes", dtypes())
    save("views", views())
    save("nested", nested())
    save("torchvision_blocks", torchvision_blocks())
    save("legacy", views(), _use_new_zipfile_serialization=False)
    save("protocol4", dtypes(), pickle_protocol=4)
    malicious()
    layouts()
