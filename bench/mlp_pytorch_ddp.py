"""PyTorch DDP peer of `mpirun -np N mlp_throughput`: the same 784-512-512-10 MLP, SGD,
float32, N processes (gloo backend, one thread each), per-rank batch 256. Prints the total
samples/s; the last line is JSON for bench/run_data_parallel_benchmark.sh.

Run with Debian's /usr/bin/python3, OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset.
"""
import argparse
import json
import os
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from mlp_pytorch import make_batch, make_mlp


def worker(rank, args, queue):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(args.port)
    torch.set_num_threads(args.threads)
    dist.init_process_group("gloo", rank=rank, world_size=args.ranks)
    torch.manual_seed(1)
    model = torch.nn.parallel.DistributedDataParallel(make_mlp())
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_function = torch.nn.CrossEntropyLoss()
    x, labels = make_batch(args.batch)

    def step():
        optimizer.zero_grad(set_to_none=False)
        loss_function(model(x), labels).backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    dist.barrier()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    dist.barrier()
    elapsed = time.perf_counter() - start
    if rank == 0:
        queue.put(args.batch * args.ranks * args.steps / elapsed)
    dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--port", type=int, default=29517)
    args = parser.parse_args()
    context = mp.get_context("spawn")
    queue = context.Queue()
    processes = [context.Process(target=worker, args=(rank, args, queue)) for rank in range(args.ranks)]
    for process in processes:
        process.start()
    samples_per_s = queue.get()
    for process in processes:
        process.join()
    print(f"pytorch {torch.__version__} DDP (gloo) mlp 784-512-512-10, {args.ranks} ranks x {args.threads} threads, "
          f"batch {args.batch} a rank: {samples_per_s:.0f} samples/s")
    print(json.dumps({"samples_per_s": samples_per_s, "ranks": args.ranks, "threads": args.threads}))


if __name__ == "__main__":
    main()
