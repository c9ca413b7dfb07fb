"""Full-size Mask R-CNN comparison, torchvision side (not in CI: needs PyTorch and ~200 MB of scratch space).

/usr/bin/python3 bench/Models/maskrcnn_full_size.py OUT_DIR [--threads 2]
Builds torchvision's maskrcnn_resnet50_fpn (v1) with seeded random weights (random frozen batch-norm buffers; the
class-logit biases of a few classes raised so detections pass the thresholds), saves OUT_DIR/maskrcnn_random.pth, a
seeded 800x1333 photo OUT_DIR/image.npz (uint8 [H, W, 3]), times torchvision's CPU inference on it (best of 3) and
saves its detections to OUT_DIR/torchvision.npz (boxes, scores, labels, masks > 0.5 as uint8) with the seconds.
Then: dotnet run -c Release --project bench -- maskrcnn --dir OUT_DIR  (times ours and compares).
"""
import argparse
import os
import time

import numpy as np
import torch
import torchvision

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--threads", type=int, default=2)
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
torch.manual_seed(2015)
torch.set_num_threads(args.threads)

model = torchvision.models.detection.maskrcnn_resnet50_fpn(weights=None, weights_backbone=None).eval()
with torch.no_grad():
    for name, buf in model.named_buffers():
        if name.endswith(".weight") or name.endswith(".running_var"):
            buf.uniform_(0.5, 1.5)
        elif name.endswith(".bias") or name.endswith(".running_mean"):
            buf.normal_(0, 0.1)
    model.roi_heads.box_predictor.cls_score.bias[[1, 3, 18, 62]] += 4.0
torch.save(model.state_dict(), os.path.join(args.out, "maskrcnn_random.pth"))

image = torch.randint(0, 256, (3, 800, 1333)).float() / 255
np.savez(os.path.join(args.out, "image.npz"), image=np.round(image.permute(1, 2, 0).numpy() * 255).astype(np.uint8))
best = float("inf")
with torch.no_grad():
    for _ in range(3):
        start = time.perf_counter()
        out = model([image])[0]
        best = min(best, time.perf_counter() - start)
np.savez_compressed(os.path.join(args.out, "torchvision.npz"), boxes=out["boxes"].numpy(), scores=out["scores"].numpy(),
                    labels=out["labels"].numpy(), masks=(out["masks"][:, 0] > 0.5).numpy().astype(np.uint8),
                    seconds=np.array([best], dtype=np.float64))
print(f"torchvision {torchvision.__version__}, {args.threads} threads: {best:.3f} s, {len(out['boxes'])} detections")
