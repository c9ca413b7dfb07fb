#!/usr/bin/env bash
# One device call: the GPU conformance on CUDA, bench -- gpu beside PyTorch, and petseg train --device cuda.
# Prepare here (no .NET SDK there):
#   dotnet publish bench -c Release -r linux-x64 --self-contained -p:InvariantGlobalization=true -o .gpu/bench
#   dotnet publish src/PetSeg -c Release -r linux-x64 --self-contained -p:InvariantGlobalization=true -o .gpu/petseg
# then run with the device tool: command "bash bench/Gpu/run-on-device.sh", carry [".gpu"].
set -uo pipefail
out=${OUT:-/tmp/out}
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
.gpu/bench/Bench gpu-check --device cuda 2>&1 | tee "$out/conformance.txt"
python3 bench/Gpu/torch_gpu_bench.py --out "$out/torch_gpu.json" 2>&1 | tail -20
.gpu/bench/Bench gpu --device cuda --torch "$out/torch_gpu.json" --markdown "$out/RESULTS-gpu.md" 2>&1 | tail -80
( time .gpu/petseg/petseg train --device cuda --out "$out/run" ) 2>&1 | tail -15 | tee "$out/train.txt"
