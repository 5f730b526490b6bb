"""What the PyTorch peers of the benchmarks share: the run's settings (threads, seed, true fp32
matmuls without TF32, as Tern's GEMMs) and mixed precision as Tern's `precision` does it,
with torch.autocast around forward and loss (fp32 master weights) and, for f16, GradScaler's
dynamic loss scaling.
"""
import time

import torch


def configure(device, threads):
    """Sets threads, seed and fp32 matmuls; returns the function that waits for the device."""
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    torch.backends.cuda.matmul.allow_tf32 = False
    return torch.cuda.synchronize if device == "cuda" else (lambda: None)


class MixedPrecision:
    """precision f32 | bf16 | f16 on `device` ("cpu" or "cuda"; PyTorch 1.13 autocasts f16 on CUDA only)."""

    def __init__(self, device, precision):
        self.device = device
        self.dtype = {"f32": None, "bf16": torch.bfloat16, "f16": torch.float16}[precision]
        enabled = precision == "f16"
        # torch.amp.GradScaler where this PyTorch has it (2.3 and later), else the older CUDA one.
        if hasattr(torch.amp, "GradScaler"):
            self.scaler = torch.amp.GradScaler(device, enabled=enabled)
        else:
            self.scaler = torch.cuda.amp.GradScaler(enabled=enabled)

    def autocast(self):
        """The context the forward and the loss run in."""
        return torch.autocast(self.device, dtype=self.dtype, enabled=self.dtype is not None)

    def backward_and_step(self, loss, optimizer):
        self.scaler.scale(loss).backward()
        self.scaler.step(optimizer)
        self.scaler.update()


def time_steps(step, warmup, steps, synchronize):
    """Seconds that `steps` calls of step() take after `warmup` untimed ones, the device idle at both ends."""
    for _ in range(warmup):
        step()
    synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    synchronize()
    return time.perf_counter() - start
