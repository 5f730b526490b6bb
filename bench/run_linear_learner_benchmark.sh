#!/usr/bin/env bash
# linear-learner against scikit-learn and LIBLINEAR on Fashion-MNIST, same split, same machine,
# same run, 2 threads, for two tasks: the 10 classes, and T-shirt/top (0) against shirt (6), the
# hardest pair. Prints for each:
#   accuracy: Tern with its defaults (8 models, the best kept on the training rows) against
#             scikit-learn's LogisticRegression (lbfgs to convergence) and, for the pair,
#             LIBLINEAR's L2 logistic regression (-s 0);
#   speed:    seconds an epoch (the median of 5), Tern with one model (mini-batches of 1000) against
#             scikit-learn's SGDClassifier (log loss, 5 epochs of single-row SGD, one-vs-rest
#             over 2 threads); and Tern's whole fit against LIBLINEAR's.
# TASKS="0,6" runs the pair alone.
source "$(dirname "$0")/prepare.sh"
threads=${THREADS:-2}
"$root/scripts/prepare-data.sh" "$build_dir/launcher/tern" "$build_dir/data" >/dev/null
scratch=$(mktemp -d /tmp/tern-linear-bench-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
peers=$root/bench/linear_learner_peers.py
fashion=$build_dir/data/fashion-mnist

for task in ${TASKS:-all 0,6}; do
  folder=$scratch/${task/,/-}
  mkdir -p "$folder"
  /usr/bin/python3 "$peers" prepare --train "$fashion/train.h5" --test "$fashion/test.h5" --classes "$task" --out "$folder"
  if [[ $task == all ]]; then
    predictor=(--hp predictor_type=multiclass_classifier --hp num_classes=10)
  else
    predictor=(--hp predictor_type=binary_classifier)
  fi
  OMP_NUM_THREADS=$threads "$build_dir/launcher/tern" train --algorithm linear-learner --quiet "${predictor[@]}" \
    --train "$folder/train.h5" --test "$folder/test.h5" --output-dir "$folder/defaults"
  OMP_NUM_THREADS=$threads "$build_dir/launcher/tern" train --algorithm linear-learner --quiet "${predictor[@]}" \
    --train "$folder/train.h5" --output-dir "$folder/one" --hp num_models=1 --hp epochs=5 \
    --hp early_stopping_patience=5
  "${peer_env[@]}" OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads /usr/bin/python3 "$peers" measure \
    --train "$fashion/train.h5" --test "$fashion/test.h5" --classes "$task" --threads "$threads" > "$folder/sklearn.json"
  if [[ $task != all ]]; then
    start=$(date +%s.%N)
    liblinear-train -q -s 0 "$folder/train.svm" "$folder/liblinear.model"
    echo "$(date +%s.%N) - $start" | bc > "$folder/liblinear.seconds"
    liblinear-predict "$folder/test.svm" "$folder/liblinear.model" "$folder/liblinear.out" > "$folder/liblinear.accuracy"
  fi
  /usr/bin/python3 - "$folder" "$task" <<'PY'
import json, os, re, statistics, sys
folder, task = sys.argv[1:]
def metrics(job):
    return {line["name"]: line["value"] for line in map(json.loads, open(f"{folder}/{job}/metrics.jsonl"))}
defaults, one = metrics("defaults"), metrics("one")
peer = json.load(open(f"{folder}/sklearn.json"))
name = "10 classes" if task == "all" else "T-shirt vs shirt"
accuracy = defaults["test:multiclass_accuracy" if task == "all" else "test:binary_classification_accuracy"]
one_lines = [json.loads(line) for line in open(f"{folder}/one/metrics.jsonl")]
epoch_seconds = statistics.median(line["value"] for line in one_lines if line["name"] == "train:epoch_seconds")
print(f"linear-learner, {name}: tern accuracy {accuracy:.4f} (defaults, fit {defaults['train:fit_seconds']:.1f} s), "
      f"scikit-learn LogisticRegression {peer['logistic_accuracy']:.4f} ({peer['logistic_seconds']:.1f} s); "
      f"difference {100 * (accuracy - peer['logistic_accuracy']):+.2f} points")
print(f"linear-learner, {name}: tern {epoch_seconds:.3f} s/epoch (one model), scikit-learn SGDClassifier "
      f"{peer['sgd_epoch_seconds']:.3f} s/epoch (accuracy {peer['sgd_accuracy']:.4f}); "
      f"speed ratio tern/SGDClassifier = {peer['sgd_epoch_seconds'] / epoch_seconds:.2f}")
if os.path.exists(f"{folder}/liblinear.seconds"):
    seconds = float(open(f"{folder}/liblinear.seconds").read())
    liblinear = float(re.search(r"Accuracy = ([0-9.]+)%", open(f"{folder}/liblinear.accuracy").read()).group(1)) / 100
    print(f"linear-learner, {name}: LIBLINEAR -s 0 accuracy {liblinear:.4f} in {seconds:.1f} s; tern's default fit "
          f"{defaults['train:fit_seconds']:.1f} s (8 models); speed ratio tern/LIBLINEAR = "
          f"{seconds / defaults['train:fit_seconds']:.2f}")
PY
done
