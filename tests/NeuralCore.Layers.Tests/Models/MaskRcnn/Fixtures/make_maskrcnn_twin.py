"""A scaled-down twin of torchvision's maskrcnn_resnet50_fpn and its outputs at every stage.

Run with the Debian PyTorch (torch 1.13, torchvision 0.14): /usr/bin/python3 make_maskrcnn_twin.py
Same classes and code paths as the full model (torchvision's MaskRCNN, ResNet Bottleneck blocks [3, 4, 6, 3] with
FrozenBatchNorm2d, BackboneWithFPN with LastLevelMaxPool, the default RPN and RoI heads settings, 91 classes in the predictors); only
narrower: bottleneck widths / 32, FPN 16 channels, box head and mask head 16 wide, images resized to short side 60
(long side at most 120), 20 detections per image. The 28x40 photo is upscaled to 60x85 and padded to 64x96, so the
resize, the padded batch larger than the image on both axes and the boxes' way back to the photo's pixels all count;
60 (not a power of two) and 28 make torchvision's float32 scale, reciprocal(28) * 60, one last bit above 60 / 28
rounded once, which is the difference between 60 rows and 59. Seeded weights; the frozen batch-norm buffers are random so the
affine is exercised; the class-logit biases of a few classes are raised so detections pass the 0.05 score threshold.

Writes beside this script:
- maskrcnn_twin.pth: the state dict (torch.save, zip format), keys exactly as maskrcnn_resnet50_fpn's.
- maskrcnn_twin.npz: the input image and every stage, NHWC where spatial:
  image [H0, W0, 3] uint8 (the model reads it / 255); transformed [1, H, W, 3] (normalised, resized, padded to 32); image_size [2] (before padding);
  fpn_0 .. fpn_3, fpn_pool [1, h, w, 16]; proposals [P, 4]; box_boxes [D, 4], box_scores [D], box_labels [D] (int64),
  in the resized image; mask_probs [D, 28, 28] (the detected class's sigmoid); final_boxes [D, 4] in the original image,
  final_masks [D, H0, W0] pasted probabilities (uint8 = round(255 p), compact) and final_masks_binary (p > 0.5, uint8).
- maskrcnn_paste.npz: paste_masks_in_image alone on what the twin's small photo never produces and full-size photos do:
  saturated maps (probabilities exactly 0 and 1, so pasted pixels land exactly on 0.5 where a pixel centre falls halfway
  to the zero border) in boxes thinner than a pixel, a pixel or two wide, across the borders, larger than the image.
  probs [K, 28, 28], boxes [K, 4], image_size [2], pasted [K, H, W] float32 (exact) and binary (p > 0.5, uint8).
"""
import os

import numpy as np
import torch
from torchvision.models.detection import MaskRCNN
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.models.detection.roi_heads import paste_masks_in_image
from torchvision.models.resnet import Bottleneck, ResNet
from torchvision.ops import FrozenBatchNorm2d
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(2015)


class NarrowResNet(ResNet):
    """torchvision's ResNet-50 with every bottleneck's width divided by 32 (the stem keeps its 64 channels)."""

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        return super()._make_layer(block, planes // 32, blocks, stride, dilate)


def build():
    body = NarrowResNet(Bottleneck, [3, 4, 6, 3], norm_layer=FrozenBatchNorm2d)
    widths = [64 // 32 * 4 * 2 ** i for i in range(4)]  # bottleneck outputs: 8, 16, 32, 64
    backbone = BackboneWithFPN(body, {"layer1": "0", "layer2": "1", "layer3": "2", "layer4": "3"},
                               widths, 16, extra_blocks=LastLevelMaxPool())
    model = MaskRCNN(
        backbone, num_classes=None, min_size=60, max_size=120, box_detections_per_img=20,
        box_head=TwoMLPHead(16 * 7 * 7, 16), box_predictor=FastRCNNPredictor(16, 91),
        mask_head=MaskRCNNHeads(16, (16, 16, 16, 16), 1), mask_predictor=MaskRCNNPredictor(16, 16, 91))
    with torch.no_grad():
        for name, buf in model.named_buffers():
            if name.endswith(".weight") or name.endswith(".running_var"):
                buf.uniform_(0.5, 1.5)
            elif name.endswith(".bias") or name.endswith(".running_mean"):
                buf.normal_(0, 0.1)
        bias = model.roi_heads.box_predictor.cls_score.bias
        bias[[1, 3, 18, 62]] += 4.0
    return model.eval()


def nhwc(t):
    return t.detach().permute(0, 2, 3, 1).contiguous().numpy()


def main():
    model = build()
    torch.save(model.state_dict(), os.path.join(HERE, "maskrcnn_twin.pth"))
    image = torch.randint(0, 256, (3, 28, 40)).float() / 255  # 8-bit, so the .npz can store it exactly as uint8
    with torch.no_grad():
        images, _ = model.transform([image])
        features = model.backbone(images.tensors)
        proposals, _ = model.rpn(images, features)
        detections, _ = model.roi_heads(features, proposals, images.image_sizes)
        mask_probs = detections[0]["masks"][:, 0].clone()
        box_boxes = detections[0]["boxes"].clone()
        final = model.transform.postprocess(detections, images.image_sizes, [tuple(image.shape[-2:])])[0]
        whole = model([image])[0]
    assert torch.equal(whole["boxes"], final["boxes"]) and torch.equal(whole["masks"], final["masks"])
    assert len(final["boxes"]) >= 5, f"only {len(final['boxes'])} detections: raise the class biases"
    masks = final["masks"][:, 0]
    out = {
        "image": np.round(image.permute(1, 2, 0).numpy() * 255).astype(np.uint8),
        "transformed": nhwc(images.tensors),
        "image_size": np.array(images.image_sizes[0], dtype=np.int64),
        "proposals": proposals[0].numpy(),
        "box_boxes": box_boxes.numpy(),
        "box_scores": detections[0]["scores"].numpy(),
        "box_labels": detections[0]["labels"].numpy(),
        "mask_probs": mask_probs.numpy(),
        "final_boxes": final["boxes"].numpy(),
        "final_masks": np.round(masks.numpy() * 255).astype(np.uint8),
        "final_masks_binary": (masks > 0.5).numpy().astype(np.uint8),
    }
    for name, value in features.items():
        out[f"fpn_{name}"] = nhwc(value)
    np.savez_compressed(os.path.join(HERE, "maskrcnn_twin.npz"), **out)
    print("detections", len(final["boxes"]), "labels", final["labels"].tolist(), "proposals", len(proposals[0]),
          "sizes", {k: v.shape for k, v in out.items()})


def paste_cases():
    height, width = 40, 64
    boxes = torch.tensor([
        [20.72, 29.585, 63.0, 29.6055],  # 0.02 px tall: one row sampled exactly halfway between map rows
        [0.0, 0.0, 64.0, 0.99],  # top edge, under a pixel tall
        [3.3, 5.9, 3.75, 38.0],  # under a pixel wide
        [-7.5, -3.2, 20.4, 17.8],  # across the top-left corner
        [40.25, 22.5, 70.0, 45.0],  # across the bottom-right corner
        [-30.0, -20.0, 90.0, 60.0],  # larger than the image
        [10.0, 10.0, 11.0, 12.0],  # one or two pixels
        [5.5, 8.25, 58.5, 31.75],  # inside, several pixels per map cell
    ])
    logits = torch.randn(len(boxes), 28, 28) * 40  # |logit| > 17 saturates float32's sigmoid to exactly 0 or 1
    logits[-2:] = torch.randn(2, 28, 28) * 2  # two maps with probabilities in between
    probs = logits.sigmoid()
    pasted = paste_masks_in_image(probs[:, None], boxes, (height, width))[:, 0]
    np.savez_compressed(os.path.join(HERE, "maskrcnn_paste.npz"), probs=probs.numpy(), boxes=boxes.numpy(),
                        image_size=np.array([height, width], dtype=np.int64), pasted=pasted.numpy(),
                        binary=(pasted > 0.5).numpy().astype(np.uint8))
    ties = ((pasted - 0.5).abs() < 1e-6).sum().item()
    print("paste cases", len(boxes), "pixels within 1e-6 of 0.5:", ties)


if __name__ == "__main__":
    main()
    paste_cases()
