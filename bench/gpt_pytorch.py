"""PyTorch peer of bench/gpt_throughput.cpp: the same GPT (GPT-2's pre-LayerNorm blocks,
causal multi-head attention written out as matmul, mask and softmax, GELU MLP of width 4d,
tied head), trained on random token windows with next-token cross-entropy and Adam; the same
sizes, step count, device and precision (torch.autocast, bench/torch_peer.py). Prints tokens/s
and model TFLOP/s (counted as gpt_throughput.cpp counts them); the last line is JSON for
bench/run_gpt_benchmark.sh and bench/run_gpt_gpu_benchmark.sh. Run with Debian's
/usr/bin/python3 (python3-torch) on the CPU, with the GPU machine's python3 on a GPU.
"""
import argparse
import json
import math

import torch

from torch_peer import MixedPrecision, configure, time_steps


class Block(torch.nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.ln_1, self.ln_2 = torch.nn.LayerNorm(width), torch.nn.LayerNorm(width)
        self.qkv, self.proj = torch.nn.Linear(width, 3 * width), torch.nn.Linear(width, width)
        self.fc, self.fc_proj = torch.nn.Linear(width, 4 * width), torch.nn.Linear(4 * width, width)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln_1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)
        mask = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1)
        attention = scores.masked_fill(mask, float("-inf")).softmax(-1) @ v
        x = x + self.proj(attention.transpose(1, 2).reshape(b, t, d))
        return x + self.fc_proj(torch.nn.functional.gelu(self.fc(self.ln_2(x)), approximate="tanh"))


class Gpt(torch.nn.Module):
    def __init__(self, layers, heads, width, sequence, vocab):
        super().__init__()
        self.wte, self.wpe = torch.nn.Embedding(vocab, width), torch.nn.Embedding(sequence, width)
        self.blocks = torch.nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.ln_f = torch.nn.LayerNorm(width)

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1], device=ids.device))
        for block in self.blocks:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.t()


def main():
    parser = argparse.ArgumentParser()
    for name, default in [("layers", 4), ("heads", 4), ("width", 128), ("sequence", 128), ("batch", 8),
                          ("vocab", 256), ("steps", 30), ("warmup", 5), ("threads", 2)]:
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--precision", default="f32", choices=["f32", "bf16", "f16"])
    args = parser.parse_args()
    synchronize = configure(args.device, args.threads)
    model = Gpt(args.layers, args.heads, args.width, args.sequence, args.vocab).to(args.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    precision = MixedPrecision(args.device, args.precision)
    ids = torch.randint(0, args.vocab, (args.batch, args.sequence), device=args.device)
    targets = torch.randint(0, args.vocab, (args.batch * args.sequence,), device=args.device)

    def step():
        optimizer.zero_grad(set_to_none=False)
        with precision.autocast():
            loss = torch.nn.functional.cross_entropy(model(ids).view(-1, args.vocab), targets)
        precision.backward_and_step(loss, optimizer)

    tokens_per_s = args.steps * args.batch * args.sequence / time_steps(step, args.warmup, args.steps, synchronize)
    parameters = sum(p.numel() for p in model.parameters())
    model_tflops = tokens_per_s * (6 * parameters + 12 * args.layers * args.sequence * args.width) / 1e12
    print(f"pytorch {torch.__version__} gpt {args.layers} layers x {args.width} wide, sequence {args.sequence}, "
          f"vocabulary {args.vocab} ({parameters} parameters), batch {args.batch}, {args.device} {args.precision}, "
          f"{args.threads} threads: {tokens_per_s:.0f} tokens/s, {model_tflops:.2f} model TFLOP/s")
    print(json.dumps({"tokens_per_s": tokens_per_s, "model_tflops": model_tflops, "threads": args.threads,
                      "precision": args.precision}))


if __name__ == "__main__":
    main()
