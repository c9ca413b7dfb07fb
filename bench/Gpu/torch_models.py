# The seed models in PyTorch, as measured for the CPU anchors (shared/anchors/torch_models.py of this project), so that
# bench/Gpu/torch_gpu_bench.py can run on a GPU machine that only receives this repository.
#!/usr/bin/python3
"""PyTorch (NCHW) re-implementations of the Keras segmentation models used as
performance anchors for the C# tensor engine.

The goal is *architectural* fidelity (layer structure, shapes, FLOPs, which
parameters train); weights are random (no downloads are possible here, and
weights do not change timing).

Models
  a. unet_mobilenetv2(num_classes=3, size=128)     TF segmentation tutorial
  b. unet_scratch_pix2pix(num_classes=3, size=256) cookbook "U-Net from scratch"
  c. unet_classic(num_classes=3, size=128)         Ronneberger-style U-Net (Medium/PyImageSearch)
  d. fcn8_vgg16(num_classes=3, size=256)           cookbook FCN-8 on VGG16
  e. unet_densenet121(num_classes=59, size=128)    DenseNet121-encoder U-Net

Notes on Keras -> torch padding equivalences (stride 2):
  Conv2D(k=4, s=2, 'same')           -> Conv2d(k=4, s=2, padding=1)          (exact, even inputs)
  Conv2DTranspose(k=3, s=2, 'same')  -> ConvTranspose2d(k=3, s=2, p=1, output_padding=1)
                                        (same shape/FLOPs; the sampling grid is shifted by one pixel
                                        vs. TF's asymmetric 'same' padding, which is irrelevant here)
  Conv2DTranspose(k=4, s=2, 'same')  -> ConvTranspose2d(k=4, s=2, p=1)
  Conv2DTranspose(k, s=k, 'valid')   -> ConvTranspose2d(k, s=k, p=0)

Run `/usr/bin/python3 torch_models.py` for the parameter/FLOP table, output-shape
assertions and the 20-step convergence sanity check of model a.
"""
import argparse
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

# ----------------------------------------------------------------------------
# shared building blocks
# ----------------------------------------------------------------------------


def convT_same_s2(cin, cout, k, bias):
    """Keras Conv2DTranspose(cout, k, strides=2, padding='same') -> 2x spatial."""
    # torch: out = (in-1)*2 - 2p + k + op == 2*in  <=>  2p - op = k - 2
    if k == 3:
        p, op = 1, 1
    elif k == 4:
        p, op = 1, 0
    elif k == 2:
        p, op = 0, 0
    else:
        raise ValueError(k)
    return nn.ConvTranspose2d(cin, cout, k, stride=2, padding=p, output_padding=op, bias=bias)


class Pix2PixUpsample(nn.Sequential):
    """tensorflow_examples pix2pix.upsample(filters, size, norm_type='batchnorm', apply_dropout)
    = Conv2DTranspose(filters, size, 2, 'same', use_bias=False) -> BatchNorm -> [Dropout 0.5] -> ReLU"""

    def __init__(self, cin, cout, k, dropout=False):
        layers = [convT_same_s2(cin, cout, k, bias=False), nn.BatchNorm2d(cout)]
        if dropout:
            layers.append(nn.Dropout(0.5))
        layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


class Pix2PixDownsample(nn.Sequential):
    """pix2pix.downsample(filters, size, apply_batchnorm)
    = Conv2D(filters, size, 2, 'same', use_bias=False) -> [BatchNorm] -> LeakyReLU (Keras default alpha=0.3)"""

    def __init__(self, cin, cout, k=4, bn=True):
        assert k == 4
        layers = [nn.Conv2d(cin, cout, k, stride=2, padding=1, bias=False)]
        if bn:
            layers.append(nn.BatchNorm2d(cout))
        layers.append(nn.LeakyReLU(0.3, inplace=True))
        super().__init__(*layers)


class FrozenEncoderMixin:
    """Keras `down_stack.trainable = False`: no weight updates AND BatchNorm in inference mode."""

    def freeze_encoder(self):
        for p in self.encoder.parameters():
            p.requires_grad_(False)
        self.encoder.eval()

    def train(self, mode=True):
        super().train(mode)
        self.encoder.eval()  # BN stays in inference mode even while training the decoder
        return self


# ----------------------------------------------------------------------------
# a. TF segmentation tutorial: MobileNetV2 encoder + pix2pix decoder
# ----------------------------------------------------------------------------


class MobileNetV2Taps(nn.Module):
    """torchvision mobilenet_v2 features truncated like the Keras down_stack.

    Keras block_i == torchvision features[i+1] (Keras 'expanded_conv' == features[1]).
      'block_1_expand_relu'  == features[2].conv[0]  output (ReLU6 after 1x1 expand)  96 x H/2
      'block_3_expand_relu'  == features[4].conv[0]  output                           144 x H/4
      'block_6_expand_relu'  == features[7].conv[0]  output                           192 x H/8
      'block_13_expand_relu' == features[14].conv[0] output                           576 x H/16
      'block_16_project'     == features[17].conv[2] output (the 1x1 projection conv,
                                BEFORE 'block_16_project_BN')                         320 x H/32
    features[17].conv[3] (block_16_project_BN) and features[18] (Conv_1, 1280ch) are not
    part of the Keras down_stack and are not computed.
    All tapped blocks are stride-2 or channel-changing, so none has a residual add.
    """

    TAP_BLOCKS = (2, 4, 7, 14)

    def __init__(self):
        super().__init__()
        f = torchvision.models.mobilenet_v2(weights=None).features
        self.f = nn.ModuleList([f[i] for i in range(18)])  # drop features[18]
        self.f[17].conv[3] = nn.Identity()  # block_16_project_BN is not part of the Keras down_stack
        for i in self.TAP_BLOCKS + (17,):
            assert not self.f[i].use_res_connect

    def forward(self, x):
        skips = []
        for i, blk in enumerate(self.f):
            if i in self.TAP_BLOCKS:
                c = blk.conv
                x = c[0](x)          # expand 1x1 conv + BN + ReLU6  -> tap
                skips.append(x)
                for j in range(1, len(c)):
                    x = c[j](x)
            elif i == 17:
                c = blk.conv
                x = c[2](c[1](c[0](x)))  # expand, depthwise, project conv (no BN) -> tap
                skips.append(x)
            else:
                x = blk(x)
        return skips  # [96@/2, 144@/4, 192@/8, 576@/16, 320@/32]


class EncoderTapsUNet(FrozenEncoderMixin, nn.Module):
    """A frozen encoder's taps (shallow to deep) joined by the pix2pix decoder: four upsample blocks of
    512/256/128/64 filters, each concatenated with the next shallower tap, then a stride-2 transposed conv to logits."""

    def __init__(self, encoder, skip_ch, bottom_ch, num_classes):
        super().__init__()
        self.encoder = encoder
        self.up = nn.ModuleList()
        cin = bottom_ch
        for f, s in zip((512, 256, 128, 64), reversed(skip_ch)):
            self.up.append(Pix2PixUpsample(cin, f, 3))
            cin = f + s
        self.last = convT_same_s2(cin, num_classes, 3, bias=True)
        self.freeze_encoder()

    def forward(self, x):
        skips = self.encoder(x)
        x = skips[-1]
        for up, skip in zip(self.up, reversed(skips[:-1])):
            x = torch.cat([up(x), skip], dim=1)
        return self.last(x)  # logits


class UNetMobileNetV2(EncoderTapsUNet):
    def __init__(self, num_classes=3, size=128):
        assert size % 32 == 0
        super().__init__(MobileNetV2Taps(), [96, 144, 192, 576], 320, num_classes)


def unet_mobilenetv2(num_classes=3, size=128):
    return UNetMobileNetV2(num_classes, size)


# ----------------------------------------------------------------------------
# b. cookbook U-Net from scratch (pix2pix generator layout)
# ----------------------------------------------------------------------------


class UNetScratchPix2Pix(nn.Module):
    def __init__(self, num_classes=3, size=256):
        super().__init__()
        assert size % 256 == 0 or size >= 256
        down_f = (64, 128, 256, 512, 512, 512, 512, 512)
        self.down = nn.ModuleList()
        cin = 3
        for i, f in enumerate(down_f):
            self.down.append(Pix2PixDownsample(cin, f, 4, bn=(i != 0)))
            cin = f
        up_f = (512, 512, 512, 512, 256, 128, 64)
        skip_ch = list(reversed(down_f[:-1]))  # 512,512,512,512,256,128,64
        self.up = nn.ModuleList()
        for i, (f, s) in enumerate(zip(up_f, skip_ch)):
            self.up.append(Pix2PixUpsample(cin, f, 4, dropout=(i < 3)))
            cin = f + s
        self.last = convT_same_s2(cin, num_classes, 3, bias=True)

    def forward(self, x):
        skips = []
        for d in self.down:
            x = d(x)
            skips.append(x)
        for up, skip in zip(self.up, reversed(skips[:-1])):
            x = torch.cat([up(x), skip], dim=1)
        return self.last(x)  # logits


def unet_scratch_pix2pix(num_classes=3, size=256):
    return UNetScratchPix2Pix(num_classes, size)


# ----------------------------------------------------------------------------
# c. classic U-Net (Ronneberger layout, Keras article version)
# ----------------------------------------------------------------------------


def double_conv(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU(inplace=True))


class UNetClassic(nn.Module):
    def __init__(self, num_classes=3, size=128):
        super().__init__()
        fs = (64, 128, 256, 512)
        self.enc = nn.ModuleList()
        cin = 3
        for f in fs:
            self.enc.append(double_conv(cin, f))
            cin = f
        self.pool = nn.MaxPool2d(2)
        self.drop = nn.Dropout(0.3)
        self.bottleneck = double_conv(512, 1024)
        cin = 1024
        self.upT = nn.ModuleList()
        self.dec = nn.ModuleList()
        for f in reversed(fs):
            self.upT.append(convT_same_s2(cin, f, 3, bias=True))  # Conv2DTranspose(f, 3, 2, 'same'), no activation
            self.dec.append(double_conv(2 * f, f))
            cin = f
        self.head = nn.Conv2d(64, num_classes, 1)  # Keras: softmax activation; here logits + CE (same work)

    def forward(self, x):
        skips = []
        for e in self.enc:
            f = e(x)
            skips.append(f)
            x = self.drop(self.pool(f))
        x = self.bottleneck(x)
        for upT, dec, skip in zip(self.upT, self.dec, reversed(skips)):
            x = torch.cat([upT(x), skip], dim=1)
            x = dec(self.drop(x))
        return self.head(x)


def unet_classic(num_classes=3, size=128):
    return UNetClassic(num_classes, size)


# ----------------------------------------------------------------------------
# d. cookbook FCN-8 on VGG16
# ----------------------------------------------------------------------------


class FCN8VGG16(nn.Module):
    """VGG16 blocks 1-5 (torchvision vgg16().features is exactly conv3x3+ReLU / maxpool),
    conv6 7x7 (num_classes, ReLU) on pool5 -> ConvT(4, s4, no bias);
    pool4 -> 1x1 conv + ReLU -> ConvT(2, s2, no bias); pool3 -> 1x1 conv + ReLU;
    add -> ConvT(8, s8, no bias) -> Softmax.  Output = probabilities (the cookbook then
    applies SparseCategoricalCrossentropy(from_logits=True) to these probabilities)."""

    def __init__(self, num_classes=3, size=256):
        super().__init__()
        feats = torchvision.models.vgg16(weights=None).features
        self.to_pool3 = feats[:17]   # ... block3_pool (256 @ /8)
        self.to_pool4 = feats[17:24]  # ... block4_pool (512 @ /16)
        self.to_pool5 = feats[24:31]  # ... block5_pool (512 @ /32)
        nc = num_classes
        self.conv6 = nn.Conv2d(512, nc, 7, padding=3)
        self.up6 = nn.ConvTranspose2d(nc, nc, 4, stride=4, bias=False)
        self.pool4_n = nn.Conv2d(512, nc, 1)
        self.up4 = nn.ConvTranspose2d(nc, nc, 2, stride=2, bias=False)
        self.pool3_n = nn.Conv2d(256, nc, 1)
        self.up_final = nn.ConvTranspose2d(nc, nc, 8, stride=8, bias=False)

    def forward(self, x):
        p3 = self.to_pool3(x)
        p4 = self.to_pool4(p3)
        p5 = self.to_pool5(p4)
        a = self.up6(F.relu(self.conv6(p5)))
        b = self.up4(F.relu(self.pool4_n(p4)))
        c = F.relu(self.pool3_n(p3))
        return torch.softmax(self.up_final(a + b + c), dim=1)


def fcn8_vgg16(num_classes=3, size=256):
    return FCN8VGG16(num_classes, size)


# ----------------------------------------------------------------------------
# e. DenseNet121 encoder U-Net (59 classes)
# ----------------------------------------------------------------------------


class DenseNet121Taps(nn.Module):
    """Keras DenseNet121 layer -> torchvision densenet121().features:
      'conv1/relu' == features.relu0              64  @ /2
      'pool2_relu' == features.transition1.relu   256 @ /4
      'pool3_relu' == features.transition2.relu   512 @ /8
      'pool4_relu' == features.transition3.relu   1024 @ /16
      'relu'       == relu(features.norm5)        1024 @ /32
    """

    def __init__(self):
        super().__init__()
        self.f = torchvision.models.densenet121(weights=None).features

    def forward(self, x):
        f = self.f
        skips = []
        x = f.relu0(f.norm0(f.conv0(x)))
        skips.append(x)
        x = f.denseblock1(f.pool0(x))
        for tr, blk in ((f.transition1, f.denseblock2), (f.transition2, f.denseblock3),
                        (f.transition3, f.denseblock4)):
            x = tr.relu(tr.norm(x))
            skips.append(x)
            x = blk(tr.pool(tr.conv(x)))
        x = F.relu(f.norm5(x))
        skips.append(x)
        return skips  # [64@/2, 256@/4, 512@/8, 1024@/16, 1024@/32]


class UNetDenseNet121(EncoderTapsUNet):
    def __init__(self, num_classes=59, size=128):
        super().__init__(DenseNet121Taps(), [64, 256, 512, 1024], 1024, num_classes)


def unet_densenet121(num_classes=59, size=128):
    return UNetDenseNet121(num_classes, size)


# ----------------------------------------------------------------------------
# registry (model spec used by the benchmark)
# ----------------------------------------------------------------------------

MODELS = {
    # key: (builder, num_classes, size, optimizer, lr, description)
    "a": (unet_mobilenetv2, 3, 128, "adam", 1e-3, "U-Net MobileNetV2 (frozen) + pix2pix decoder, TF tutorial"),
    "b": (unet_scratch_pix2pix, 3, 256, "rmsprop", 1e-3, "U-Net from scratch (pix2pix layout), cookbook"),
    "c": (unet_classic, 3, 128, "adam", 1e-3, "classic U-Net 64..1024 (Medium/PyImageSearch)"),
    "d": (fcn8_vgg16, 3, 256, "rmsprop", 1e-3, "FCN-8 VGG16 (all trainable), cookbook"),
    "e": (unet_densenet121, 59, 128, "rmsprop", 1e-3, "U-Net DenseNet121 (frozen) + pix2pix decoder, 59 classes"),
}


def build(key):
    builder, nc, size, opt, lr, desc = MODELS[key]
    return builder(nc, size), nc, size


def make_optimizer(key, params):
    """Keras defaults: Adam(lr=1e-3, eps=1e-7); RMSprop(lr=1e-3, rho=0.9, eps=1e-7)."""
    _, _, _, opt, lr, _ = MODELS[key]
    params = [p for p in params if p.requires_grad]
    if opt == "adam":
        return torch.optim.Adam(params, lr=lr, eps=1e-7)
    return torch.optim.RMSprop(params, lr=lr, alpha=0.9, eps=1e-7)


def loss_fn(out, target):
    # Keras SparseCategoricalCrossentropy(from_logits=True) == F.cross_entropy (mean over pixels).
    # For model d the "logits" are the softmax probabilities, exactly as in the cookbook.
    return F.cross_entropy(out, target)


# ----------------------------------------------------------------------------
# parameter and FLOP counting (2*MACs for conv / convT / linear)
# ----------------------------------------------------------------------------


def count_params(model):
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return total, trainable


def count_flops(model, size, batch=2):
    """Returns dict with forward FLOPs and an estimate of train-step FLOPs, per image.

    conv:  MACs = N*Cout*Hout*Wout*(Cin/groups)*kh*kw
    convT: MACs = N*Cin*Hin*Win*(Cout/groups)*kh*kw   (input-centric, the usual convention;
           includes products that fall into the cropped 'same' border)
    linear: MACs = rows*in*out
    backward: weight-grad costs 1x fwd MACs if weight.requires_grad;
              input-grad costs 1x fwd MACs if the layer input requires grad.
    (Frozen encoders therefore contribute forward FLOPs only.)
    """
    stats = {"fwd": 0, "bwd": 0, "fwd_trainable_path": 0, "layers": 0}

    def hook(mod, inp, out):
        x = inp[0]
        if isinstance(mod, nn.Conv2d):
            kh, kw = mod.kernel_size
            macs = out.numel() * (mod.in_channels // mod.groups) * kh * kw
        elif isinstance(mod, nn.ConvTranspose2d):
            kh, kw = mod.kernel_size
            macs = x.numel() * (mod.out_channels // mod.groups) * kh * kw
        elif isinstance(mod, nn.Linear):
            macs = x.numel() // x.shape[-1] * mod.in_features * mod.out_features
        else:
            return
        fl = 2 * macs
        stats["fwd"] += fl
        stats["layers"] += 1
        if mod.weight.requires_grad:
            stats["bwd"] += fl
        if x.requires_grad:
            stats["bwd"] += fl
        if mod.weight.requires_grad or x.requires_grad:
            stats["fwd_trainable_path"] += fl

    hs = [m.register_forward_hook(hook) for m in model.modules()
          if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear))]
    was_training = model.training
    model.train()
    with torch.enable_grad():
        model(torch.randn(batch, 3, size, size))
    model.train(was_training)
    for h in hs:
        h.remove()
    return {
        "fwd_gflops_per_img": stats["fwd"] / batch / 1e9,
        "bwd_gflops_per_img": stats["bwd"] / batch / 1e9,
        "train_gflops_per_img": (stats["fwd"] + stats["bwd"]) / batch / 1e9,
        "conv_layers": stats["layers"],
    }


def model_summary(key):
    torch.manual_seed(0)
    model, nc, size = build(key)
    total, trainable = count_params(model)
    fl = count_flops(model, size)
    return {"key": key, "name": MODELS[key][0].__name__, "desc": MODELS[key][5], "num_classes": nc,
            "size": size, "optimizer": MODELS[key][3], "params_total": total,
            "params_trainable": trainable, **fl}


# ----------------------------------------------------------------------------
# sanity checks
# ----------------------------------------------------------------------------


def check_shapes(key, batch=2):
    torch.manual_seed(0)
    model, nc, size = build(key)
    model.eval()
    with torch.no_grad():
        y = model(torch.randn(batch, 3, size, size))
    assert tuple(y.shape) == (batch, nc, size, size), (key, tuple(y.shape))
    if key == "a":
        sk = model.encoder(torch.randn(1, 3, size, size))
        want = [(96, size // 2), (144, size // 4), (192, size // 8), (576, size // 16), (320, size // 32)]
        got = [(t.shape[1], t.shape[2]) for t in sk]
        assert got == want, got
    if key == "e":
        sk = model.encoder(torch.randn(1, 3, size, size))
        want = [(64, size // 2), (256, size // 4), (512, size // 8), (1024, size // 16), (1024, size // 32)]
        got = [(t.shape[1], t.shape[2]) for t in sk]
        assert got == want, got
    return tuple(y.shape)


def synthetic_trimap_batch(batch, size, nc, seed=0):
    """Random 'pet-like' blobs: disk (class 0), 3px boundary ring (class 2), background (class 1),
    painted into a noisy RGB image with class-dependent random colours. Learnable from local
    appearance, so a correctly wired network's loss must fall quickly."""
    g = torch.Generator().manual_seed(seed)
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    xs, ts = [], []
    for _ in range(batch):
        cy, cx = (torch.rand(2, generator=g) * 0.5 + 0.25) * size
        r = (torch.rand(1, generator=g) * 0.2 + 0.15) * size
        d = ((yy - cy) ** 2 + (xx - cx) ** 2).sqrt()
        t = torch.ones(size, size, dtype=torch.long)          # background
        t[d < r] = 0                                         # foreground
        t[(d >= r - 1.5) & (d < r + 1.5)] = 2                # boundary
        col = torch.tensor([[1.0, 0.2, -0.5], [-0.8, -0.3, 0.6], [0.1, 1.0, 0.1]])
        img = col[t].permute(2, 0, 1) + 0.3 * torch.randn(3, size, size, generator=g)
        xs.append(img)
        ts.append(t % nc)
    return torch.stack(xs), torch.stack(ts)


def convergence_check(key="a", steps=20, batch=4, seed=0):
    """Fixed synthetic batch (random blobs, see synthetic_trimap_batch); the loss must fall if
    gradients are wired correctly. Also verifies that a frozen encoder did not change
    (weights + BN running statistics) and received no gradients."""
    torch.manual_seed(seed)
    model, nc, size = build(key)
    enc_state = {k: v.clone() for k, v in model.encoder.state_dict().items()} if hasattr(model, "encoder") else None
    opt = make_optimizer(key, model.parameters())
    x, t = synthetic_trimap_batch(batch, size, nc, seed)
    model.train()
    losses = []
    for i in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), t)
        loss.backward()
        if i == 0:  # every trainable tensor must receive a gradient
            missing = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
            assert not missing, f"no grad for {missing[:5]}"
        opt.step()
        losses.append(loss.item())
    if enc_state is not None:
        for k, v in model.encoder.state_dict().items():
            assert torch.equal(v, enc_state[k]), f"frozen encoder changed: {k}"
        assert all(p.grad is None for p in model.encoder.parameters())
    return losses


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--converge-all", action="store_true",
                    help="also run a short (8-step, batch 2) convergence check on b..e")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    print(f"torch {torch.__version__}  torchvision {torchvision.__version__}  threads {torch.get_num_threads()}")
    print(f"{'':2}{'model':24}{'in':>10}{'cls':>5}{'params':>13}{'trainable':>13}{'fwd GFLOP/img':>15}{'train GFLOP/img':>17}")
    for key in MODELS:
        s = model_summary(key)
        print(f"{key:2}{s['name']:24}{str(s['size'])+'x'+str(s['size']):>10}{s['num_classes']:>5}"
              f"{s['params_total']:>13,}{s['params_trainable']:>13,}{s['fwd_gflops_per_img']:>15.3f}"
              f"{s['train_gflops_per_img']:>17.3f}")
    for key in MODELS:
        shp = check_shapes(key)
        print(f"shape ok  {key}: {shp}")
    t0 = time.time()
    losses = convergence_check("a", steps=20)
    print("convergence a (20 steps, batch 4, Adam 1e-3):", " ".join(f"{l:.3f}" for l in losses))
    assert losses[-1] < 0.6 * losses[0], "model a loss did not decrease enough"
    assert losses[-1] < 0.75 * math.log(3), "model a loss not clearly below chance (ln 3)"
    assert sum(b < a for a, b in zip(losses, losses[1:])) >= 17, "model a loss not decreasing steadily"
    print(f"convergence a OK ({time.time()-t0:.1f}s); frozen encoder unchanged")
    if args.converge_all:
        for key in "bcde":
            t0 = time.time()
            ls = convergence_check(key, steps=8, batch=2)
            ok = ls[-1] < 0.9 * ls[0]
            print(f"convergence {key} (8 steps, batch 2): {ls[0]:.4f} -> {ls[-1]:.4f} "
                  f"{'decreasing' if ok else 'FLAT (grads flow, loss not falling)'} ({time.time()-t0:.1f}s)")


if __name__ == "__main__":
    main()
