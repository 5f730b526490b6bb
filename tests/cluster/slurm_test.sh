#!/usr/bin/env bash
# A real Slurm run (CTest label `slurm`): starts a single-node Slurm cluster on this machine
# (munged, slurmctld, slurmd; state in a scratch folder), submits
# cluster-configs/slurm-train.sbatch with sbatch for a 2-task training job, waits for it, checks
# the job's state and its job folder; then stops a second job with scancel --signal=TERM and
# submits it again to resume it; and stops the daemons it started.
#   slurm_test.sh SOURCE_DIR BUILD_DIR
# It needs root (the daemons) and Debian's slurm-wlm and munge (scripts/install-deps.sh).
set -euo pipefail
source_dir=$1
build_dir=$2
if [[ $(id -u) -ne 0 ]]; then
  echo "slurm_test: needs root to start the Slurm daemons" >&2
  exit 1
fi
scratch=$(mktemp -d /tmp/tern-slurm-XXXXXX)
chmod 755 "$scratch"  # the munge user must reach its folder inside
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT

host=$(hostname -s)
cpus=$(getconf _NPROCESSORS_ONLN)  # not nproc: it follows OMP_NUM_THREADS
mkdir -p "$scratch"/{state,spool,log,munge}
chown munge:munge "$scratch/munge"
chmod 700 "$scratch/munge"
cat > "$scratch/slurm.conf" <<CONF
ClusterName=tern-test
SlurmctldHost=$host
SlurmctldPort=16817
SlurmdPort=16818
AuthType=auth/munge
StateSaveLocation=$scratch/state
SlurmdSpoolDir=$scratch/spool
SlurmctldPidFile=$scratch/slurmctld.pid
SlurmdPidFile=$scratch/slurmd.pid
SlurmctldLogFile=$scratch/log/slurmctld.log
SlurmdLogFile=$scratch/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SlurmUser=root
MpiDefault=none
ReturnToService=2
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
export SLURM_CONF=$scratch/slurm.conf

# munge: a key of our own and a socket in the scratch folder.
dd if=/dev/urandom bs=1 count=1024 of="$scratch/munge/munge.key" status=none
chown munge:munge "$scratch/munge/munge.key"
chmod 400 "$scratch/munge/munge.key"
socket=$scratch/munge/munge.socket
runuser -u munge -- munged --key-file="$scratch/munge/munge.key" --socket="$socket" \
  --pid-file="$scratch/munge/munged.pid" --log-file="$scratch/munge/munged.log" --seed-file="$scratch/munge/seed" -f
sleep 1
pids+=("$(cat "$scratch/munge/munged.pid")")
# Slurm's auth/munge plugin finds the socket through this option.
echo "AuthInfo=socket=$socket" >> "$scratch/slurm.conf"

slurmctld -D -f "$scratch/slurm.conf" > "$scratch/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$scratch/slurm.conf" > "$scratch/log/slurmd.out" 2>&1 &
pids+=($!)
for attempt in $(seq 1 30); do
  if sinfo -h -o %T 2>/dev/null | grep -qE "idle|mixed"; then break; fi
  sleep 1
done
sinfo || { cat "$scratch"/log/*; exit 1; }

# Submits cluster-configs/slurm-train.sbatch for a 2-task job into $job_dir with the extra
# hyperparameters $1; sets job_id.
submit() {
  job_id=$(sbatch --parsable --ntasks=2 --chdir="$scratch" \
    --export=ALL,TERN_ROOT="$source_dir",TERN_BUILD_DIR="$build_dir",TERN_JOB_DIR="$job_dir",TERN_EXTRA_HP="$1",OMPI_ALLOW_RUN_AS_ROOT=1,OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    "$source_dir/cluster-configs/slurm-train.sbatch")
  echo "submitted Slurm job $job_id"
}

# Slurm keeps a finished job's record for a while (MinJobAge); polls it until the job ends,
# failing if it never starts; sets state.
wait_for_job() {
  state=""
  for attempt in $(seq 1 300); do
    state=$(scontrol show job "$job_id" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 || true)
    case "$state" in COMPLETED|FAILED|CANCELLED*|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) break ;; esac
    if [[ "$state" == "PENDING" && $attempt -ge 60 ]]; then
      scontrol show job "$job_id" | grep -o 'Reason=[^ ]*'
      echo "slurm_test: job $job_id did not start within 60 s" >&2
      exit 1
    fi
    sleep 1
  done
  echo "job $job_id: $state"
  cat "$scratch/tern-$job_id.out" || true
}

# 1. A job that runs to the end.
job_dir=$scratch/job
submit "--hp epochs=1"
wait_for_job
[[ "$state" == "COMPLETED" ]] || { cat "$scratch"/log/slurmd.log | tail -20; exit 1; }
grep -q '"status": "Completed"' "$job_dir/job.json"
grep -q '"size": 2' "$job_dir/job.json"
grep -q '"launcher": "slurm"' "$job_dir/job.json"
test -f "$job_dir/model/model.h5"
test -f "$job_dir/model.tar.gz"
test -f "$job_dir/logs/rank-1.log"

# 2. A job stopped by `scancel --signal=TERM` (which signals every rank, as Slurm does before a
# preemption) once its first epoch is done: it saves a checkpoint and ends Stopped (exit 75);
# the same job submitted again resumes from that checkpoint and completes.
job_dir=$scratch/stopped-job
submit "--hp epochs=4"
for attempt in $(seq 1 300); do
  grep -qs '"name":"validation:accuracy"\|"name":"train:epoch_loss"' "$job_dir/metrics.jsonl" && break
  sleep 0.2
done
scancel --signal=TERM "$job_id"
wait_for_job
grep -q '"status": "Stopped"' "$job_dir/job.json"
grep -q '"stop_reason": "SIGTERM received"' "$job_dir/job.json"
ls "$job_dir/checkpoints" | grep -q '^step-'
test ! -e "$job_dir/model"
submit "--hp epochs=4"
wait_for_job
[[ "$state" == "COMPLETED" ]] || exit 1
grep -q '"status": "Completed"' "$job_dir/job.json"
grep -q '"resumed_from_step"' "$job_dir/job.json"
test -f "$job_dir/model/model.h5"
echo "slurm_test: passed (job folder checked; a job stopped by scancel --signal=TERM resumed and completed)"
