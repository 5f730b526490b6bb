#!/usr/bin/env bash
# The resume soak, a reliability figure: a 2-rank Fashion-MNIST MLP job (dropout, Adam, cosine
# schedule, 20 epochs, a checkpoint every 60 steps) is interrupted K times in a row at random
# moments, alternately by a SIGTERM to tern-launch (a graceful stop: the ranks finish the step
# and save a checkpoint) and by a SIGKILL to one of its ranks chosen at random (the work since
# the last checkpoint is lost), and resumed each time by the same command. Its final parameters
# must be bitwise those of the same job run without interruption.
#   bench/resume_soak.sh [K=10] [SEED=1]
# Prints each interruption and the step it resumed from, then one line with the result; exits
# non-zero when the parameters differ.
source "$(dirname "$0")/../scripts/job-setup.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
interruptions=${1:-10}
RANDOM=${2:-1}
data=$build_dir/data/fashion-mnist
scratch=$(mktemp -d /tmp/tern-soak-XXXXXX)
trap 'rm -rf "$scratch"' EXIT

train() {  # train JOB_DIR: the job, through tern-launch, in the background; sets launcher_pid
  "$build_dir/launcher/tern-launch" -np 2 -- "$build_dir/launcher/tern" train --algorithm mlp \
    --train "$data/train.h5" --validation "$data/test.h5" --output-dir "$1" --quiet \
    --hyperparameters "$root/cluster-configs/fashion-mnist-mlp.json" \
    --hp epochs=20 --hp checkpoint_interval_steps=60 >> "$scratch/output.log" 2>&1 &
  launcher_pid=$!
}

start=$(date +%s)
train "$scratch/uninterrupted"
wait "$launcher_pid"
echo "soak: uninterrupted run done in $(( $(date +%s) - start )) s"

job=$scratch/interrupted
terms=0 kills=0 resumed_from=()
for (( i = 1; i <= interruptions; i++ )); do
  train "$job"
  # A random moment 2 to 5 s in: after start-up, usually after a checkpoint, long before the end.
  sleep "$(( 2 + RANDOM % 3 )).$(( RANDOM % 10 ))"
  if ! kill -0 "$launcher_pid" 2>/dev/null; then
    echo "soak: the job ended before interruption $i; stopping the soak early"
    break
  fi
  if (( i % 2 == 1 )); then
    kill -TERM "$launcher_pid"
    how="SIGTERM to tern-launch"
    terms=$(( terms + 1 ))
  else
    ranks=($(pgrep -x tern))
    victim=${ranks[$(( RANDOM % ${#ranks[@]} ))]}
    kill -KILL "$victim"
    how="SIGKILL to rank process $victim"
    kills=$(( kills + 1 ))
  fi
  wait "$launcher_pid" && code=0 || code=$?
  status=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['status'])" "$job/job.json")
  step=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('resumed_from_step', 0))" "$job/job.json")
  resumed_from+=("$step")
  echo "soak: interruption $i: $how -> exit $code, status $status (this attempt had resumed from step $step)"
done
train "$job"
wait "$launcher_pid"
final_from=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('resumed_from_step', 0))" "$job/job.json")

/usr/bin/python3 - "$scratch/uninterrupted" "$job" "$terms" "$kills" "$final_from" "${resumed_from[*]}" <<'PYTHON'
import json, sys
import h5py, numpy as np

reference, resumed, terms, kills, final_from, steps = sys.argv[1:7]
def tensors(job):
    found = {}
    with h5py.File(f"{job}/model/model.h5") as file:
        file.visititems(lambda name, item: found.update({name: item[()]}) if isinstance(item, h5py.Dataset) else None)
    return found
a, b = tensors(reference), tensors(resumed)
equal = a.keys() == b.keys() and all(np.array_equal(a[name], b[name]) for name in a)
attempts = len(json.load(open(f"{resumed}/job.json"))["previous_attempts"])
print(f"soak: K = {int(terms) + int(kills)} interruptions ({terms} SIGTERM, {kills} SIGKILL), {attempts + 1} attempts, "
      f"resumed from steps {steps.split() + [final_from]}; final parameters ({len(a)} tensors) bitwise equal to the "
      f"uninterrupted run: {'yes' if equal else 'NO'}")
sys.exit(0 if equal else 1)
PYTHON
