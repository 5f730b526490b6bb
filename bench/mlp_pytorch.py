"""PyTorch peer of bench/mlp_throughput.cpp: the same 784-512-512-10 ReLU MLP, softmax
cross-entropy, plain SGD, float32, batch 256, same step count. Prints samples/s and the
BLAS kernel in use; the last line is JSON for bench/run_mlp_benchmark.sh.

Run with Debian's /usr/bin/python3 (python3-torch), OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset.
With --device cuda the model and batch live on GPU 0, matmuls in true fp32 (no TF32, as Tern),
and the timed loop is bracketed by torch.cuda.synchronize(). With --precision bf16 or f16 the
forward and loss run under torch.autocast (fp32 master weights, as Tern's mixed precision), and
f16 scales the loss with torch.amp.GradScaler, as Tern's DynamicLossScaler does.
"""
import argparse
import json

import torch

from torch_peer import MixedPrecision, configure, time_steps


def make_mlp():
    """784-512-512-10 with ReLU, as bench/mlp_throughput.cpp builds it."""
    return torch.nn.Sequential(
        torch.nn.Linear(784, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 10))


def make_batch(batch):
    """Uniform inputs in [-1, 1) and labels 0..9 cycling, as the C++ benchmark uses."""
    return torch.rand(batch, 784) * 2 - 1, torch.arange(batch) % 10


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--precision", choices=["f32", "bf16", "f16"], default="f32")
    args = parser.parse_args()
    synchronize = configure(args.device, args.threads)
    device = torch.device(args.device)

    model = make_mlp().to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_function = torch.nn.CrossEntropyLoss()
    x, labels = (t.to(device) for t in make_batch(args.batch))

    precision = MixedPrecision(args.device, args.precision)

    def step():
        optimizer.zero_grad(set_to_none=False)
        with precision.autocast():
            loss = loss_function(model(x), labels)
        precision.backward_and_step(loss, optimizer)

    elapsed = time_steps(step, args.warmup, args.steps, synchronize)
    samples_per_s = args.batch * args.steps / elapsed
    blas = "unknown"
    try:
        from threadpoolctl import threadpool_info
        blas = "; ".join(f"{i.get('internal_api')} {i.get('architecture', '')} threads={i.get('num_threads')}"
                         for i in threadpool_info())
    except ImportError:
        pass
    print(f"pytorch {torch.__version__} mlp 784-512-512-10 batch {args.batch} on {args.device}, {args.precision}, "
          f"{args.threads} threads: {samples_per_s:.0f} samples/s (BLAS: {blas})")
    print(json.dumps({"samples_per_s": samples_per_s, "threads": args.threads, "device": args.device,
                      "precision": args.precision, "batch": args.batch}))


if __name__ == "__main__":
    main()
