"""torchvision against itself when its input moves in the last bits (bench only).

/usr/bin/python3 bench/Models/maskrcnn_input_jitter.py DIR [--jitter 4.77e-7] [--trials 3]
  DIR as made by maskrcnn_full_size.py (weights and photo). Runs torchvision's transform once, then the rest of the
  model (backbone, RPN, RoI heads) on the transform's batch and on the same batch plus uniform(-j, j) noise (seeded;
  the default is the largest difference between our transform and torchvision's on the 480x640 photo, about 2 float32
  ulps at the batch's magnitudes), and prints per trial how far torchvision's own proposals and detections move. It tells
  how much of what `bench -- maskrcnn` reports is this model's sensitivity to rounding rather than a difference of ours.
"""
import argparse
import os

import numpy as np
import torch
from torchvision.models.detection import maskrcnn_resnet50_fpn

parser = argparse.ArgumentParser()
parser.add_argument("dir")
parser.add_argument("--jitter", type=float, default=4.77e-7)
parser.add_argument("--trials", type=int, default=3)
args = parser.parse_args()
torch.set_num_threads(2)
torch.manual_seed(7)

model = maskrcnn_resnet50_fpn(weights=None, weights_backbone=None).eval()
model.load_state_dict(torch.load(os.path.join(args.dir, "maskrcnn_random.pth")))
image = torch.from_numpy(np.load(os.path.join(args.dir, "image.npz"))["image"]).permute(2, 0, 1).float() / 255


def after_transform(images):
    features = model.backbone(images.tensors)
    proposals, _ = model.rpn(images, features)
    return proposals[0], model.roi_heads(features, proposals, images.image_sizes)[0][0]


with torch.no_grad():
    images, _ = model.transform([image])
    base_proposals, base = after_transform(images)
    h, w = images.image_sizes[0]
    for trial in range(args.trials):
        noise = (torch.rand_like(images.tensors) * 2 - 1) * args.jitter
        noise[..., h:, :] = 0  # the padding stays exactly zero, as in both engines
        noise[..., w:] = 0
        images.tensors = images.tensors + noise
        proposals, out = after_transform(images)
        images.tensors = images.tensors - noise
        line = f"input +-{args.jitter:g}, trial {trial}: "
        if proposals.shape == base_proposals.shape:
            line += f"proposals max {float((proposals - base_proposals).abs().max()):.3g} px; "
        else:
            line += f"{len(proposals)} proposals (base {len(base_proposals)}); "
        if torch.equal(out["labels"], base["labels"]):
            line += (f"{len(out['labels'])} detections, labels equal, scores max {float((out['scores'] - base['scores']).abs().max()):.3g}, "
                     f"boxes max {float((out['boxes'] - base['boxes']).abs().max()):.3g} px")
        else:
            line += f"{len(out['labels'])} detections (base {len(base['labels'])}), labels differ in rank"
        print(line, flush=True)
