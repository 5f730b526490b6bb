"""PyTorch peer of bench/gpt_throughput.cpp: the same GPT (GPT-2's pre-LayerNorm blocks,
causal multi-head attention written out as matmul, mask and softmax, GELU MLP of width 4d,
tied head, vocabulary 256), trained on random token windows with next-token cross-entropy and
Adam; the same sizes and step count. Prints tokens/s; the last line is JSON for
bench/run_gpt_benchmark.sh. Run with Debian's /usr/bin/python3 (python3-torch).
"""
import argparse
import json
import math
import time

import torch


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
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        attention = scores.masked_fill(mask, float("-inf")).softmax(-1) @ v
        x = x + self.proj(attention.transpose(1, 2).reshape(b, t, d))
        return x + self.fc_proj(torch.nn.functional.gelu(self.fc(self.ln_2(x)), approximate="tanh"))


class Gpt(torch.nn.Module):
    def __init__(self, layers, heads, width, sequence):
        super().__init__()
        self.wte, self.wpe = torch.nn.Embedding(256, width), torch.nn.Embedding(sequence, width)
        self.blocks = torch.nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.ln_f = torch.nn.LayerNorm(width)

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))
        for block in self.blocks:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.t()


def main():
    parser = argparse.ArgumentParser()
    for name, default in [("layers", 4), ("heads", 4), ("width", 128), ("sequence", 128), ("batch", 8),
                          ("steps", 30), ("warmup", 5), ("threads", 2)]:
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = Gpt(args.layers, args.heads, args.width, args.sequence)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    ids = torch.randint(0, 256, (args.batch, args.sequence))
    targets = torch.randint(0, 256, (args.batch * args.sequence,))

    def step():
        optimizer.zero_grad(set_to_none=False)
        loss = torch.nn.functional.cross_entropy(model(ids).view(-1, 256), targets)
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    tokens_per_s = args.steps * args.batch * args.sequence / (time.perf_counter() - start)
    print(f"pytorch {torch.__version__} gpt {args.layers} layers x {args.width} wide, sequence {args.sequence}, "
          f"batch {args.batch}, {args.threads} threads: {tokens_per_s:.0f} tokens/s")
    print(json.dumps({"tokens_per_s": tokens_per_s, "threads": args.threads}))


if __name__ == "__main__":
    main()
