"""Full-size Mask R-CNN comparison, torchvision side (bench only, not in CI: needs PyTorch and ~300 MB of scratch space).

/usr/bin/python3 bench/Models/maskrcnn_full_size.py OUT_DIR [--photo HxW] [--threads 2]
  Builds torchvision's maskrcnn_resnet50_fpn (v1) with seeded random weights (random frozen batch-norm buffers; the
  class-logit biases of a few classes raised so detections pass the thresholds), saves OUT_DIR/maskrcnn_random.pth and
  a seeded photo OUT_DIR/image.npz (uint8 [H, W, 3]; 800x1333 unless --photo, which the transform needs not resize;
  any other size, e.g. --photo 480x640, goes through the transform's resize, here to 800x1066 padded to 800x1088; the
  weights do not depend on it), runs torchvision's CPU inference on it once and saves
  OUT_DIR/torchvision.npz: the detections (boxes, scores, labels in the photo's pixels), the masks > 0.5 (uint8), and
  the probabilities before that threshold: mask_probs [D, 28, 28] (the mask head's sigmoid of the detected class),
  mask_boxes [D, 4] (the boxes that head pooled, in the resized image of size resized_size) and pasted [D, H, W]
  (paste_masks_in_image's output); the RPN's proposals [P, 4] (resized image) and the transform's output, batch
  [1, PH, PW, 3] (normalised, resized, padded; channels last as ours), for the stage checks.
/usr/bin/python3 bench/Models/maskrcnn_full_size.py OUT_DIR --serve [--threads 2]
  Timing mode for `bench -- maskrcnn`, which starts it as a child process: loads OUT_DIR's weights and photo, prints
  "ready", then for each line "run" on stdin runs one inference and prints its seconds, for "reset" resets the
  kernel's peak resident set of this process (Linux /proc/self/clear_refs) and prints "ok", for "memory" prints the
  peak resident set of the whole process (ru_maxrss) and since the last reset (VmHWM), in bytes; exits at end of input.
"""
import argparse
import os
import resource
import sys
import time

import numpy as np
import torch
import torchvision
from torchvision.models.detection import maskrcnn_resnet50_fpn

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--serve", action="store_true")
parser.add_argument("--photo", default="800x1333", help="the photo's height x width, e.g. 480x640")
args = parser.parse_args()
torch.set_num_threads(args.threads)


def photo_tensor(path):
    pixels = np.load(path)["image"]
    return torch.from_numpy(pixels).permute(2, 0, 1).float() / 255


def serve():
    model = maskrcnn_resnet50_fpn(weights=None, weights_backbone=None).eval()
    model.load_state_dict(torch.load(os.path.join(args.out, "maskrcnn_random.pth")))
    image = photo_tensor(os.path.join(args.out, "image.npz"))
    print("ready", flush=True)
    with torch.no_grad():
        for line in sys.stdin:
            if line.strip() == "run":
                start = time.perf_counter()
                model([image])
                print(f"{time.perf_counter() - start:.6f}", flush=True)
            elif line.strip() == "reset":
                with open("/proc/self/clear_refs", "w") as refs:
                    refs.write("5")
                print("ok", flush=True)
            elif line.strip() == "memory":
                # Linux reports ru_maxrss and VmHWM in KiB.
                with open("/proc/self/status") as status:
                    hwm = next(int(row.split()[1]) for row in status if row.startswith("VmHWM:"))
                print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, hwm * 1024, flush=True)
            else:
                raise SystemExit(f"maskrcnn_full_size.py --serve: unknown command {line.strip()!r} (expected run, reset or memory)")


def make():
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(2015)
    model = maskrcnn_resnet50_fpn(weights=None, weights_backbone=None).eval()
    with torch.no_grad():
        for name, buf in model.named_buffers():
            if name.endswith(".weight") or name.endswith(".running_var"):
                buf.uniform_(0.5, 1.5)
            elif name.endswith(".bias") or name.endswith(".running_mean"):
                buf.normal_(0, 0.1)
        model.roi_heads.box_predictor.cls_score.bias[[1, 3, 18, 62]] += 4.0
    torch.save(model.state_dict(), os.path.join(args.out, "maskrcnn_random.pth"))

    height, width = (int(side) for side in args.photo.lower().split("x"))
    image = torch.randint(0, 256, (3, height, width)).float() / 255
    np.savez(os.path.join(args.out, "image.npz"), image=np.round(image.permute(1, 2, 0).numpy() * 255).astype(np.uint8))

    # The roi heads' output is still in the resized image, before the paste: the mask head's probabilities and boxes.
    head = {}
    model.roi_heads.register_forward_hook(lambda module, inputs, output: head.update(output[0][0]))
    model.transform.register_forward_hook(
        lambda module, inputs, output: head.update(resized=output[0].image_sizes[0], batch=output[0].tensors.permute(0, 2, 3, 1)))
    model.rpn.register_forward_hook(lambda module, inputs, output: head.update(proposals=output[0][0]))
    with torch.no_grad():
        out = model([image])[0]
    pasted = out["masks"][:, 0]
    np.savez_compressed(os.path.join(args.out, "torchvision.npz"), boxes=out["boxes"].numpy(),
                        scores=out["scores"].numpy(), labels=out["labels"].numpy(),
                        masks=(pasted > 0.5).numpy().astype(np.uint8), pasted=pasted.numpy(),
                        mask_probs=head["masks"][:, 0].numpy(), mask_boxes=head["boxes"].numpy(),
                        resized_size=np.array(head["resized"], dtype=np.int64), proposals=head["proposals"].numpy(),
                        batch=head["batch"].numpy())
    print(f"torchvision {torchvision.__version__}: {height}x{width} photo resized to {tuple(head['resized'])}, "
          f"padded to {tuple(head['batch'].shape[1:3])}; {len(out['boxes'])} detections")


if args.serve:
    serve()
else:
    make()
