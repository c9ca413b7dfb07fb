#!/usr/bin/python3
"""The five seed models in PyTorch (float64) with TensorFlow 'same' paddings written out, for SeedModelTorchTests.

No weights are stored. Every tensor is a formula of (its index in Keras' weight order, its element index in our
NHWC / HWIO layout) that the C# test evaluates too (FormulaWeights.cs); so are the input and the labels. Each
builder creates its tensors in our module order (= Keras' weight order), so tensor indices agree on both sides.

For each model, <model>.npz holds:
  tensor_count    how many tensors (parameters and BN moving statistics) the formula filled
  logits          inference mode (BN on moving statistics, dropout off), NHWC; see `field` for big outputs
  loss            training mode (BN on batch statistics, dropout off): mean sparse softmax cross-entropy
  input_grad      d loss / d input in training mode, NHWC; see `field`
  param_names     the trainable parameters' Keras names <layer>/<weight>, "\n"-joined ASCII bytes
  param_grads     one row per parameter, see `summary`
Dropout (unet, unet-pix2pix) is off in both modes: its masks are random, and `petseg grad` turns it off too.
Run: /usr/bin/python3 make_seed_model_fixtures.py (writes next to this script; about a minute)
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

BATCH, CLASSES = 2, 3
INPUT_SALT, LABEL_SALT = 1_000_001, 1_000_002
FIELD_MAX_PIXELS = 32 * 32  # a bigger output is stored as 8x8 block sums plus a 16x16 centre crop
SAMPLES = 16

# ---------------------------------------------------------------------------------------------- formulas
MASK64 = (1 << 64) - 1


def mix(count, salt):
    """A splitmix64-style hash of (element index, salt) in wrapping uint64 arithmetic: exact in any language."""
    h = np.arange(count, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64((salt * 0xBF58476D1CE4E5B9) & MASK64)
    h ^= h >> np.uint64(31)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(29)
    return h


def uniform(count, salt):
    """Uniform in [-1, 1): 53 hash bits, exact in float64."""
    return (mix(count, salt) >> np.uint64(11)).astype(np.float64) * 2.0 ** -52 - 1.0


def formula_input(size):
    n = BATCH * size * size * 3
    x = (0.5 + 0.5 * uniform(n, INPUT_SALT)).astype(np.float32).reshape(BATCH, size, size, 3)
    return torch.tensor(x.astype(np.float64)).permute(0, 3, 1, 2)


def formula_labels(size):
    y = ((mix(BATCH * size * size, LABEL_SALT) >> np.uint64(32)) % np.uint64(CLASSES)).astype(np.int64)
    return torch.tensor(y.reshape(BATCH, size, size))


class Params:
    """Creates the weight tensors in Keras' weight order, valued by the formula, named <layer>/<weight>."""

    def __init__(self):
        self.tensors = []

    def take(self, name, shape, fan=1):
        t = len(self.tensors)
        s = uniform(int(np.prod(shape)), t)
        weight = name.rsplit("/", 1)[1]
        v = {"gamma": 1 + 0.1 * s, "beta": 0.1 * s, "bias": 0.1 * s, "moving_mean": 0.1 * s,
             "moving_variance": 1 + 0.3 * s * s}.get(weight, np.sqrt(6.0 / fan) * s)  # kernels: He-uniform
        trainable = weight not in ("moving_mean", "moving_variance")
        tensor = torch.tensor(v.astype(np.float32).astype(np.float64).reshape(shape), requires_grad=trainable)
        self.tensors.append((name, tensor))
        return tensor


class KerasNames:
    """Keras' automatic layer names: conv2d, conv2d_1, ..."""

    def __init__(self):
        self.used = {}

    def next(self, kind):
        n = self.used.get(kind, 0)
        self.used[kind] = n + 1
        return kind if n == 0 else f"{kind}_{n}"


# ------------------------------------------------------------------------------------ TF 'same' padding
def same_pads(size, k, s):
    """TensorFlow 'same': output ceil(size / s); the odd pixel of the total padding goes bottom/right."""
    total = max((-(-size // s) - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def pad_same(x, k, s):
    top, bottom = same_pads(x.shape[2], k, s)
    left, right = same_pads(x.shape[3], k, s)
    return F.pad(x, (left, right, top, bottom))


def conv_transpose_same(x, w, b, s):
    """TF conv2d_transpose 'same': output in * s, the full output cropped by the forward conv's 'same' top/left pad."""
    k = w.shape[2]
    h, wd = x.shape[2] * s, x.shape[3] * s
    top, left = same_pads(h, k, s)[0], same_pads(wd, k, s)[0]
    return F.conv_transpose2d(x, w, b, stride=s)[:, :, top:top + h, left:left + wd]


# ------------------------------------------------------------------------------------------------ layers
def to_torch(kernel):
    """Our kernels (conv HWIO, depthwise [KH, KW, 1, C], transposed [KH, KW, Cout, Cin]) in torch's layout."""
    return kernel.permute(3, 2, 0, 1)


class Net:
    """Layer factories that take their weights from the formula; `training` switches BN to batch statistics."""

    def __init__(self):
        self.params = Params()
        self.names = KerasNames()
        self.training = False

    def conv(self, name, cin, cout, k, stride=1, padding="same", bias=True, act=None):
        w = self.params.take(name + "/kernel", (k, k, cin, cout), fan=k * k * cin)
        b = self.params.take(name + "/bias", (cout,)) if bias else None

        def f(x):
            if padding == "same":
                x = pad_same(x, k, stride)
            y = F.conv2d(x, to_torch(w), b, stride=stride)
            return act(y) if act else y
        return f

    def depthwise(self, name, c, stride, padding):
        w = self.params.take(name + "/depthwise_kernel", (3, 3, 1, c), fan=9)
        return lambda x: F.conv2d(pad_same(x, 3, stride) if padding == "same" else x, to_torch(w), stride=stride, groups=c)

    def conv_transpose(self, name, cin, cout, k, stride, padding="same", bias=True):
        w = self.params.take(name + "/kernel", (k, k, cout, cin), fan=k * k * cin)
        b = self.params.take(name + "/bias", (cout,)) if bias else None
        if padding == "same":
            return lambda x: conv_transpose_same(x, to_torch(w), b, stride)
        return lambda x: F.conv_transpose2d(x, to_torch(w), b, stride=stride)

    def bn(self, name, c, eps=1e-3):
        g, b = self.params.take(name + "/gamma", (c,)), self.params.take(name + "/beta", (c,))
        mean, var = self.params.take(name + "/moving_mean", (c,)), self.params.take(name + "/moving_variance", (c,))

        def f(x):
            if self.training:  # batch statistics (biased variance), as Keras and our Trainer normalise
                return F.batch_norm(x, None, None, g, b, True, 0.0, eps)
            return F.batch_norm(x, mean, var, g, b, False, 0.0, eps)
        return f

    def upsample(self, cin, f, k):
        """pix2pix.upsample without dropout: Conv2DTranspose(f, k, 2, 'same', no bias), BN, ReLU."""
        up = self.conv_transpose(self.names.next("conv2d_transpose"), cin, f, k, 2, bias=False)
        norm = self.bn(self.names.next("batch_normalization"), f)
        return lambda x: torch.relu(norm(up(x)))

    def downsample(self, cin, f, k, batch_norm):
        """pix2pix.downsample: Conv2D(f, k, 2, 'same', no bias), [BN], LeakyReLU(0.3)."""
        conv = self.conv(self.names.next("conv2d"), cin, f, k, 2, bias=False)
        norm = self.bn(self.names.next("batch_normalization"), f) if batch_norm else (lambda x: x)
        return lambda x: F.leaky_relu(norm(conv(x)), 0.3)


relu6 = lambda x: torch.clamp(x, 0, 6)


# ------------------------------------------------------------------------------------------------ models
def encoder_unet(net, encoder, taps):
    """EncoderUNet: pix2pix upsample(512, 256, 128, 64; kernel 3) + concat(up, skip), last Conv2DTranspose(3, 2)."""
    ups, cin = [], taps[-1][1]
    for i, f in enumerate((512, 256, 128, 64)):
        ups.append(net.upsample(cin, f, 3))
        cin = f + taps[-2 - i][1]
    last = net.conv_transpose(net.names.next("conv2d_transpose"), cin, CLASSES, 3, 2)

    def forward(x):
        skips = encoder(x, {name for name, _ in taps})
        y = skips[taps[-1][0]]
        for i, up in enumerate(ups):
            y = torch.cat([up(y), skips[taps[-2 - i][0]]], dim=1)
        return last(y)
    return forward


MOBILENET_BLOCKS = [(16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6), (64, 1, 6),
                    (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6), (160, 1, 6), (160, 1, 6),
                    (320, 1, 6)]


def unet_mobilenetv2(net):
    """MobileNetV2 (BN eps 1e-3, ReLU6, correct_pad = TF 'same' before stride-2 depthwise) + EncoderUNet."""
    stem = [("Conv1", net.conv("Conv1", 3, 32, 3, 2, bias=False)), ("bn_Conv1", net.bn("bn_Conv1", 32)), ("Conv1_relu", relu6)]
    blocks, cin = [(stem, False)], 32
    for bid, (f, s, e) in enumerate(MOBILENET_BLOCKS):
        p = "expanded_conv_" if bid == 0 else f"block_{bid}_"
        layers = []
        if bid:
            layers += [(p + "expand", net.conv(p + "expand", cin, cin * e, 1, bias=False)),
                       (p + "expand_BN", net.bn(p + "expand_BN", cin * e)), (p + "expand_relu", relu6)]
        c = cin * e
        layers += [(p + "depthwise", net.depthwise(p + "depthwise", c, s, "same")),
                   (p + "depthwise_BN", net.bn(p + "depthwise_BN", c)), (p + "depthwise_relu", relu6),
                   (p + "project", net.conv(p + "project", c, f, 1, bias=False)), (p + "project_BN", net.bn(p + "project_BN", f))]
        blocks.append((layers, cin == f and s == 1))
        cin = f
    net.conv("Conv_1", 320, 1280, 1, bias=False), net.bn("Conv_1_bn", 1280)  # after the deepest tap: they only use up indices

    def encoder(x, taps):
        # Stops at the last tap, block_16_project: block_16_project_BN and everything after it never run.
        found = {}
        for layers, residual in blocks:
            block_input = x
            for name, f in layers:
                x = f(x)
                if name in taps:
                    found[name] = x
                    if len(found) == len(taps):
                        return found
            if residual:
                x = x + block_input
        raise AssertionError(f"taps not found: {taps - found.keys()}")
    taps = [("block_1_expand_relu", 96), ("block_3_expand_relu", 144), ("block_6_expand_relu", 192),
            ("block_13_expand_relu", 576), ("block_16_project", 320)]
    return encoder_unet(net, encoder, taps)


def unet_densenet121(net):
    """DenseNet121 (BN eps 1.001e-5; 7x7/2 stem after a 3-pixel pad, 1-pixel pad + 3x3/2 max pool) + EncoderUNet."""
    eps = 1.001e-5
    stem = [net.conv("conv1/conv", 3, 64, 7, 2, padding="valid", bias=False), net.bn("conv1/bn", 64, eps), torch.relu]
    stages, c = [], 64
    for stage, count in enumerate((6, 12, 24, 16)):
        blocks = []
        for i in range(1, count + 1):
            p = f"conv{stage + 2}_block{i}"
            blocks.append([net.bn(p + "_0_bn", c, eps), torch.relu, net.conv(p + "_1_conv", c, 128, 1, bias=False),
                           net.bn(p + "_1_bn", 128, eps), torch.relu, net.conv(p + "_2_conv", 128, 32, 3, bias=False)])
            c += 32
        transition = None
        if stage < 3:
            p = f"pool{stage + 2}"
            transition = (net.bn(p + "_bn", c, eps), net.conv(p + "_conv", c, c // 2, 1, bias=False))
            c //= 2
        stages.append((blocks, transition))
    final_bn = net.bn("bn", c, eps)

    def encoder(x, taps):
        x = F.pad(x, (3, 3, 3, 3))
        for f in stem:
            x = f(x)
        found = {"conv1/relu": x}
        x = F.max_pool2d(F.pad(x, (1, 1, 1, 1)), 3, 2)
        for stage, (blocks, transition) in enumerate(stages):
            for block in blocks:
                y = x
                for f in block:
                    y = f(y)
                x = torch.cat([x, y], dim=1)
            if transition:
                norm, conv = transition
                x = torch.relu(norm(x))
                found[f"pool{stage + 2}_relu"] = x
                x = F.avg_pool2d(conv(x), 2)
        found["relu"] = torch.relu(final_bn(x))
        return found
    taps = [("conv1/relu", 64), ("pool2_relu", 256), ("pool3_relu", 512), ("pool4_relu", 1024), ("relu", 1024)]
    return encoder_unet(net, encoder, taps)


def vgg16(net):
    """VGG16 conv blocks: 3x3 'same' conv + ReLU, 2x2 max pool; returns the five pool outputs."""
    blocks, cin = [], 3
    for b, (f, n) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]):
        blocks.append([net.conv(f"block{b + 1}_conv{i}", cin if i == 1 else f, f, 3, act=torch.relu) for i in range(1, n + 1)])
        cin = f

    def encoder(x):
        pools = []
        for convs in blocks:
            for conv in convs:
                x = conv(x)
            x = F.max_pool2d(x, 2)
            pools.append(x)
        return pools
    return encoder


def fcn8_vgg16(net):
    """FCN-8: conv6 (7, ReLU) on pool5 up x4, pool4_n (1, ReLU) up x2, pool3_n (1, ReLU); their sum up x8."""
    encoder = vgg16(net)
    conv6 = net.conv("conv6", 512, CLASSES, 7, act=torch.relu)
    up6 = net.conv_transpose(net.names.next("conv2d_transpose"), CLASSES, CLASSES, 4, 4, padding="valid", bias=False)
    pool4 = net.conv("pool4_n", 512, CLASSES, 1, act=torch.relu)
    up4 = net.conv_transpose(net.names.next("conv2d_transpose"), CLASSES, CLASSES, 2, 2, padding="valid", bias=False)
    pool3 = net.conv("pool3_n", 256, CLASSES, 1, act=torch.relu)
    final = net.conv_transpose(net.names.next("conv2d_transpose"), CLASSES, CLASSES, 8, 8, padding="valid", bias=False)

    def forward(x):
        pools = encoder(x)
        return final(up4(pool4(pools[3])) + pool3(pools[2]) + up6(conv6(pools[4])))
    return forward


def unet(net):
    """Ronneberger U-Net: double 3x3 conv + ReLU (64..512), max pool; 1024 bottleneck; ConvT(3, 2) + concat + double conv."""
    def double_conv(cin, f):
        net.names.next("sequential")
        return [net.conv(net.names.next("conv2d"), cin, f, 3, act=torch.relu),
                net.conv(net.names.next("conv2d"), f, f, 3, act=torch.relu)]
    down, cin = [], 3
    for level in range(4):
        down.append(double_conv(cin, 64 << level))
        cin = 64 << level
    bottleneck = double_conv(cin, 1024)
    decoder, cin = [], 1024
    for level in reversed(range(4)):
        f = 64 << level
        decoder.append((net.conv_transpose(net.names.next("conv2d_transpose"), cin, f, 3, 2), double_conv(2 * f, f)))
        cin = f
    head = net.conv(net.names.next("conv2d"), cin, CLASSES, 1)

    def run(layers, x):
        for f in layers:
            x = f(x)
        return x

    def forward(x):
        skips = []
        for convs in down:
            skips.append(run(convs, x))
            x = F.max_pool2d(skips[-1], 2)  # dropout off
        x = run(bottleneck, x)
        for (up, convs), skip in zip(decoder, reversed(skips)):
            x = run(convs, torch.cat([up(x), skip], dim=1))
        return head(x)
    return forward


def unet_pix2pix(net):
    """pix2pix generator: 8 downsample(4) blocks, 7 upsample(4) blocks (dropout off) + concat, last ConvT(3, 2)."""
    down_filters = [64, 128, 256, 512, 512, 512, 512, 512]
    up_filters = [512, 512, 512, 512, 256, 128, 64]
    down, cin = [], 3
    for i, f in enumerate(down_filters):
        down.append(net.downsample(cin, f, 4, batch_norm=i != 0))
        cin = f
    ups = []
    for i, f in enumerate(up_filters):
        ups.append(net.upsample(cin, f, 4))
        cin = f + down_filters[-2 - i]
    last = net.conv_transpose(net.names.next("conv2d_transpose"), cin, CLASSES, 3, 2)

    def forward(x):
        skips = []
        for block in down:
            x = block(x)
            skips.append(x)
        for i, up in enumerate(ups):
            x = torch.cat([up(x), skips[-2 - i]], dim=1)
        return last(x)
    return forward


# The smallest input each model takes (32; pix2pix halves eight times), except the MobileNetV2 and DenseNet121 U-Nets:
# at 32x32 their stride-32 maps are 1x1, each training-mode BN there normalises two values per channel, and the loss is
# so curved that float32 cannot follow it (PyTorch's float32 input gradient differs from its float64 one by 100%).
MODELS = {"unet-mobilenetv2": (unet_mobilenetv2, 64), "unet": (unet, 32), "unet-pix2pix": (unet_pix2pix, 256),
          "fcn8-vgg16": (fcn8_vgg16, 32), "unet-densenet121": (unet_densenet121, 64)}


# ------------------------------------------------------------------------------------------------ output
def field(out, key, nchw):
    """An NHWC output in full, or (too big for a small fixture) its 8x8 block sums and its 16x16 centre crop."""
    nhwc = nchw.detach().permute(0, 2, 3, 1)
    n, h, w, c = nhwc.shape
    if h * w <= FIELD_MAX_PIXELS:
        out[key] = nhwc.numpy().astype(np.float32)
        return
    out[key + "_blocks"] = nhwc.reshape(n, h // 8, 8, w // 8, 8, c).sum(dim=(2, 4)).numpy().astype(np.float32)
    out[key + "_crop"] = nhwc[:, h // 2 - 8:h // 2 + 8, w // 2 - 8:w // 2 + 8, :].numpy().astype(np.float32)


def summary(index, grad):
    """[tensor index, element count, sum, sum |g|, L2 norm, g at the centres of 16 equal slices of the flat tensor]."""
    g = grad.detach().reshape(-1).numpy()
    n = g.size
    picks = g[(2 * np.arange(SAMPLES) + 1) * n // (2 * SAMPLES)]
    return np.concatenate([[index, n, g.sum(), np.abs(g).sum(), np.sqrt((g * g).sum())], picks])


def main():
    for name, (build, size) in MODELS.items():
        net = Net()
        forward = build(net)
        x, labels = formula_input(size), formula_labels(size)
        out = {"tensor_count": np.array(len(net.params.tensors), dtype=np.int32)}
        with torch.no_grad():
            field(out, "logits", forward(x))
        net.training = True
        x.requires_grad_(True)
        loss = F.cross_entropy(forward(x), labels)
        loss.backward()
        out["loss"] = np.array(loss.item())
        field(out, "input_grad", x.grad)
        trained = [(index, pname, tensor) for index, (pname, tensor) in enumerate(net.params.tensors) if tensor.requires_grad]
        out["param_names"] = np.frombuffer("\n".join(pname for _, pname, _ in trained).encode("ascii"), dtype=np.uint8)
        out["param_grads"] = np.stack([summary(index, tensor.grad if tensor.grad is not None else torch.zeros_like(tensor))
                                       for index, _, tensor in trained]).astype(np.float32)
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name.replace("-", "_") + ".npz")
        np.savez_compressed(path, **out)
        print(f"{os.path.basename(path)}: {len(net.params.tensors)} tensors, loss {loss.item():.6f}, "
              f"logits |max| {np.abs(next(v for k, v in out.items() if k.startswith('logits'))).max():.4g}, "
              f"input grad L2 {x.grad.norm().item():.4g}")


if __name__ == "__main__":
    main()
