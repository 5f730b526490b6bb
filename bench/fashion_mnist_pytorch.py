"""PyTorch peer of the main job: the MLP of cluster-configs/fashion-mnist-mlp.json trained on
the same Fashion-MNIST HDF5 files as `tern train` (784-256-128-10, ReLU, dropout 0.1 after each
hidden layer, Adam at 0.001 with a cosine schedule to 0, global batch 128, features
standardised with the training set's statistics, a reshuffle every epoch, the last partial
batch dropped). Written as a user would write it: the standardised training set in host memory,
each batch copied to the device, the loss summed on the device and read once an epoch.

Prints training samples/s per epoch (the steps alone, as Tern's train:samples_per_s) and the
test accuracy. With --tern-job it also reads a Tern job folder trained on the same data
(metrics.jsonl, job.json) and prints the ratio of the two throughputs, averaged over the epochs
after the first (warm-up) when there are several. The last line is JSON.

  fashion_mnist_pytorch.py --train train.h5 --test test.h5 [--device cpu|cuda]
                           [--precision f32|bf16|f16] [--epochs 3] [--threads 2] [--tern-job DIR]
"""
import argparse
import json
import math
import pathlib
import time

import h5py
import torch

from torch_peer import MixedPrecision, configure


def load(path):
    with h5py.File(path, "r") as file:
        return torch.from_numpy(file["features"][:]), torch.from_numpy(file["labels"][:]).long()


def standardiser(features):
    """Per-feature mean and 1/σ of the training set (σ = 1 for a constant feature), as Tern."""
    mean = features.double().mean(0)
    variance = (features.double() ** 2).mean(0) - mean ** 2
    std = torch.where(variance > 1e-12, variance.clamp(min=0).sqrt(), torch.ones_like(variance))
    return mean.float(), (1 / std).float()


def make_mlp():
    return torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Dropout(0.1),
        torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Dropout(0.1),
        torch.nn.Linear(128, 10))


def tern_figures(job):
    """Tern's training samples/s per epoch and test accuracy, from a job folder."""
    rates = []
    for line in (job / "metrics.jsonl").read_text().splitlines():
        record = json.loads(line)
        if record["name"] == "train:samples_per_s":
            rates.append(record["value"])
    accuracy = json.loads((job / "job.json").read_text())["test_metrics"]["accuracy"]
    return rates, accuracy


def after_warm_up(rates):
    return sum(rates[1:]) / len(rates[1:]) if len(rates) > 1 else rates[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--precision", choices=["f32", "bf16", "f16"], default="f32")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tern-job", type=pathlib.Path)
    args = parser.parse_args()
    synchronize = configure(args.device, args.threads)
    device = torch.device(args.device)

    train_x, train_y = load(args.train)
    test_x, test_y = load(args.test)
    mean, inverse_std = standardiser(train_x)
    train_x = (train_x - mean) * inverse_std
    test_x = (test_x - mean) * inverse_std

    batch = 128
    steps_per_epoch = len(train_x) // batch
    total_steps = steps_per_epoch * args.epochs
    model = make_mlp().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-8)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * min(step, total_steps) / total_steps)))
    loss_function = torch.nn.CrossEntropyLoss()
    precision = MixedPrecision(args.device, args.precision)

    rates = []
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(train_x))
        loss_sum = torch.zeros((), device=device)
        synchronize()
        start = time.perf_counter()
        for step in range(steps_per_epoch):
            rows = order[step * batch:(step + 1) * batch]
            x, y = train_x[rows].to(device), train_y[rows].to(device)
            optimizer.zero_grad(set_to_none=False)
            with precision.autocast():
                loss = loss_function(model(x), y)
            precision.backward_and_step(loss, optimizer)
            schedule.step()
            loss_sum += loss.detach().float()
        epoch_loss = loss_sum.item() / steps_per_epoch
        synchronize()
        rates.append(steps_per_epoch * batch / (time.perf_counter() - start))
        print(f"pytorch epoch {epoch + 1}/{args.epochs}: train loss {epoch_loss:.4f}, {rates[-1]:.0f} samples/s")

    model.eval()
    with torch.no_grad():
        predicted = model(test_x.to(device)).argmax(1).cpu()
    accuracy = (predicted == test_y).float().mean().item()
    result = {"device": args.device, "precision": args.precision, "epochs": args.epochs,
              "pytorch_samples_per_s": after_warm_up(rates), "pytorch_test_accuracy": accuracy}
    print(f"pytorch {torch.__version__} fashion-mnist mlp on {args.device}, {args.precision}: "
          f"{result['pytorch_samples_per_s']:.0f} samples/s, test accuracy {accuracy:.4f}")
    if args.tern_job:
        tern_rates, tern_accuracy = tern_figures(args.tern_job)
        result.update(tern_samples_per_s=after_warm_up(tern_rates), tern_test_accuracy=tern_accuracy)
        result["ratio"] = result["tern_samples_per_s"] / result["pytorch_samples_per_s"]
        print(f"tern {result['tern_samples_per_s']:.0f} samples/s, test accuracy {tern_accuracy:.4f}; "
              f"ratio tern/pytorch = {result['ratio']:.2f}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
