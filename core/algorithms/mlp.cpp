#include "core/algorithms/mlp.h"

#include <chrono>
#include <cmath>
#include <optional>
#include <set>

#include "core/algorithms/evaluation.h"
#include "core/algorithms/optimizer_hyperparameters.h"
#include "core/data/batch_stream.h"
#include "core/data/dense_reader.h"
#include "core/data/float_text.h"
#include "core/data/distribution.h"
#include "core/data/in_memory_reader.h"
#include "core/job/early_stopping.h"
#include "core/job/progress.h"
#include "core/job/training_checkpoints.h"
#include "core/nn/activation.h"
#include "core/nn/dropout.h"
#include "core/nn/linear.h"
#include "core/optim/gradient_averaging.h"
#include "core/optim/learning_rate_schedule.h"
#include "core/optim/parameter_update.h"
#include "core/optim/optimizer.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/loss.h"

namespace tern {

namespace {

constexpr std::int64_t kStatisticsChunkRows = 8192;
constexpr std::int64_t kPredictionChunkRows = 4096;

struct TrainingConfig {
  std::int64_t mini_batch_size = 0;  // rows per step; the whole training set for "full"
  std::int64_t epochs = 0;
  std::uint64_t seed = 0;
  bool normalize_data = true;
  bool shuffle = true;
  float clip_gradient = 0.0f;
  std::int64_t log_interval = 10;
  PrecisionConfig precision;
  OptimizerConfig optimizer;
  LearningRateSchedule schedule;
  std::optional<EarlyStoppingConfig> early_stopping;  // on a validation metric, per epoch
  CheckpointConfig checkpoints;
};

// The names of the task's validation metrics (core/metrics/report.h), which early stopping
// can watch.
std::vector<std::string> validation_metric_names(TaskKind task) {
  switch (task) {
    case TaskKind::binary_classification:
      return {"accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "log_loss"};
    case TaskKind::multiclass_classification:
      return {"accuracy",           "precision_macro", "recall_macro", "f1_macro", "precision_weighted",
              "recall_weighted",    "f1_weighted",     "log_loss",     "top_3_accuracy"};
    case TaskKind::regression: return {"mse", "rmse", "mae", "r2", "adjusted_r2"};
    case TaskKind::projection:
    case TaskKind::clustering: break;  // not mlp tasks
  }
  return {};
}

TaskKind parse_predictor_type(const std::string& name) {
  if (name == "binary_classifier") return TaskKind::binary_classification;
  if (name == "multiclass_classifier") return TaskKind::multiclass_classification;
  return TaskKind::regression;
}

std::string predictor_type_name(TaskKind task) {
  switch (task) {
    case TaskKind::binary_classification: return "binary_classifier";
    case TaskKind::multiclass_classification: return "multiclass_classifier";
    case TaskKind::regression: return "regressor";
    case TaskKind::projection:
    case TaskKind::clustering: break;  // not mlp tasks
  }
  return "?";
}

// Reads every mlp hyperparameter; `training_rows` resolves mini_batch_size=full.
std::pair<Mlp::Architecture, TrainingConfig> read_hyperparameters(HyperparameterReader& read,
                                                                  std::int64_t training_rows,
                                                                  std::int64_t num_features) {
  Mlp::Architecture architecture;
  TrainingConfig training;
  architecture.num_features = num_features;
  architecture.task = parse_predictor_type(
      read.choice("predictor_type", "binary_classifier", {"binary_classifier", "multiclass_classifier", "regressor"}));
  const std::int64_t classes = read.integer("num_classes", 2, Range::at_least(2));
  TERN_CHECK(architecture.task != TaskKind::multiclass_classification || read.given("num_classes"),
             "hyperparameter 'num_classes' is required when predictor_type is multiclass_classifier");
  architecture.num_classes = architecture.task == TaskKind::multiclass_classification ? classes
                             : architecture.task == TaskKind::binary_classification ? 2
                                                                                    : 1;
  architecture.hidden_sizes = read.integer_list("hidden_sizes", {100}, Range::at_least(1));
  architecture.activation = parse_activation(read.choice("activation", "relu", {"relu", "sigmoid", "tanh", "gelu"}));
  architecture.dropout = static_cast<float>(read.real("dropout", 0.0, {0.0, 0.99, false}));

  training.epochs = read.integer("epochs", 10, Range::at_least(1));
  training.mini_batch_size =
      read.integer_or_keyword("mini_batch_size", "32", "full", training_rows, Range::at_least(1));
  TERN_CHECK(training.mini_batch_size <= training_rows, "hyperparameter 'mini_batch_size' (",
             training.mini_batch_size, ") is larger than the training set (", training_rows, " rows)");
  training.seed = static_cast<std::uint64_t>(read.integer("seed", 0, Range::non_negative()));
  training.normalize_data = read.boolean("normalize_data", true);
  training.shuffle = read.boolean("shuffle", true);
  training.clip_gradient = static_cast<float>(read.real("clip_gradient", 0.0, Range::non_negative()));
  training.log_interval = read.integer("log_interval", 10, Range::at_least(1));
  training.precision = read_precision_hyperparameters(read);

  training.optimizer = read_optimizer_hyperparameters(read);
  training.schedule = read_schedule_hyperparameters(read);
  training.early_stopping = read_early_stopping_hyperparameters(read, validation_metric_names(architecture.task));
  training.checkpoints = read_checkpoint_hyperparameters(read);
  read.finish();
  return {architecture, training};
}

// Mean and standard deviation of every feature (and of the label) over the training set, in
// double: each rank sums its part of the rows (`rows_of_rank` of `reader`), and one allreduce
// adds the parts. A constant feature gets σ = 1 so that it maps to 0.
struct ColumnStatistics {
  std::vector<double> feature_mean, feature_std;
  double label_mean = 0.0, label_std = 1.0;
};

ColumnStatistics column_statistics(DenseReader& reader, RowRange rows_of_rank, Communicator& comm) {
  const std::int64_t columns = reader.num_features();
  // Layout: Σx per feature, Σx² per feature, Σy, Σy², row count.
  std::vector<double> sums(static_cast<std::size_t>(2 * columns + 3), 0.0);
  double* feature_sum = sums.data();
  double* feature_sum_squares = sums.data() + columns;
  double* label_sums = sums.data() + 2 * columns;
  for (std::int64_t begin = rows_of_rank.begin; begin < rows_of_rank.end; begin += kStatisticsChunkRows) {
    const Dataset chunk = read_dataset(reader, begin, std::min(rows_of_rank.end, begin + kStatisticsChunkRows));
    for (std::int64_t r = 0; r < chunk.rows(); ++r) {
      const float* row = chunk.features.data<float>() + r * columns;
      for (std::int64_t c = 0; c < columns; ++c) {
        feature_sum[c] += row[c];
        feature_sum_squares[c] += static_cast<double>(row[c]) * row[c];
      }
      const double label = chunk.labels.data<float>()[r];
      label_sums[0] += label;
      label_sums[1] += label * label;
    }
  }
  label_sums[2] = static_cast<double>(rows_of_rank.size());
  allreduce(comm, std::span<double>(sums), ReduceOp::sum);

  const double count = label_sums[2];
  const auto standard_deviation = [count](double total, double total_squares) {
    const double variance = std::max(total_squares / count - (total / count) * (total / count), 0.0);
    return variance > 1e-12 ? std::sqrt(variance) : 1.0;
  };
  ColumnStatistics statistics;
  for (std::int64_t c = 0; c < columns; ++c) {
    statistics.feature_mean.push_back(feature_sum[c] / count);
    statistics.feature_std.push_back(standard_deviation(feature_sum[c], feature_sum_squares[c]));
  }
  statistics.label_mean = label_sums[0] / count;
  statistics.label_std = standard_deviation(label_sums[0], label_sums[1]);
  return statistics;
}

// Opens a channel's file; an empty data set is an error.
std::unique_ptr<DenseReader> open_channel(const JobContext& job, const std::string& channel) {
  std::unique_ptr<DenseReader> reader = open_dense_reader(job.channels.at(channel));
  TERN_CHECK(reader->num_rows() > 0, channel, " channel '", reader->source(), "' is empty (no rows)");
  return reader;
}

// Checks the rows [rows.begin, rows.end) of a channel before training starts, reading them in
// chunks. Each rank checks its own part; a problem on any rank fails the whole job. Row r of
// `reader` is row r + file_row_offset of the channel's file (for the messages).
void validate_channel(DenseReader& reader, RowRange rows, std::int64_t file_row_offset, TaskKind task,
                      std::int64_t num_classes, const std::string& channel) {
  for (std::int64_t begin = rows.begin; begin < rows.end; begin += kStatisticsChunkRows) {
    Dataset chunk = read_dataset(reader, begin, std::min(rows.end, begin + kStatisticsChunkRows));
    chunk.first_row += file_row_offset;
    validate_dataset(chunk, task, static_cast<int>(num_classes), channel);
  }
}



std::unique_ptr<Loss> make_loss(TaskKind task) {
  switch (task) {
    case TaskKind::binary_classification: return std::make_unique<BinaryCrossEntropy>();
    case TaskKind::multiclass_classification: return std::make_unique<SoftmaxCrossEntropy>();
    case TaskKind::regression: return std::make_unique<SquaredError>();
    case TaskKind::projection:
    case TaskKind::clustering: break;  // not mlp tasks
  }
  return nullptr;
}

}  // namespace

std::int64_t Mlp::num_outputs() const {
  return architecture_.task == TaskKind::multiclass_classification ? architecture_.num_classes : 1;
}

void Mlp::build_network(std::uint64_t seed) {
  network_ = Sequential();
  std::int64_t width = architecture_.num_features;
  for (std::size_t layer = 0; layer < architecture_.hidden_sizes.size(); ++layer) {
    const std::string layer_name = "hidden" + std::to_string(layer);
    network_.append(std::make_unique<Linear>(width, architecture_.hidden_sizes[layer], layer_name, seed));
    network_.append(std::make_unique<ActivationLayer>(architecture_.activation));
    if (architecture_.dropout > 0) network_.append(std::make_unique<Dropout>(architecture_.dropout, layer_name + ".dropout"));
    width = architecture_.hidden_sizes[layer];
  }
  network_.append(std::make_unique<Linear>(width, num_outputs(), "output", seed));
  parameters_ = network_.parameters();
}

Tensor Mlp::standardized(const Tensor& features) const {
  TERN_CHECK(features.dim(1) == architecture_.num_features, "the model expects ", architecture_.num_features,
             " features, the data has ", features.dim(1));
  Tensor result = Tensor::empty(features.shape());
  kernels::cpu::standardize_columns(features.data<float>(), feature_mean_.data<float>(),
                                    feature_inverse_std_.data<float>(), result.data<float>(), features.dim(0),
                                    features.dim(1));
  return result;
}

Tensor Mlp::evaluate_outputs(const Tensor& standardized_features) {
  Saved saved(ForwardMode{.training = false});
  const Device& device = parameters_.front()->value.device();  // where the model is
  return network_.forward(standardized_features.to(device), saved).to(Device::cpu());
}

void Mlp::fit(JobContext& job) {
  TERN_CHECK(job.has_channel("train"), "mlp needs a train channel (--train FILE)");
  Communicator& comm = job.comm;
  const int rank = comm.rank(), ranks = comm.size();
  std::unique_ptr<DenseReader> train_reader = open_channel(job, "train");
  std::unique_ptr<DenseReader> validation_reader;
  if (job.has_channel("validation")) {
    validation_reader = open_channel(job, "validation");
    check_same_features("train (" + train_reader->source() + ")", train_reader->num_features(),
                        "validation (" + validation_reader->source() + ")", validation_reader->num_features());
  }
  HyperparameterReader read("mlp", job.hyperparameters);
  auto [architecture, training] = read_hyperparameters(read, train_reader->num_rows(), train_reader->num_features());
  job.resolved_hyperparameters = read.resolved();
  architecture_ = architecture;
  TERN_CHECK(!training.early_stopping || validation_reader != nullptr, "early_stopping_metric '",
             training.early_stopping ? training.early_stopping->metric : "", "' needs a validation channel (--validation)");

  // mini_batch_size is the global batch: each of the W data-parallel ranks takes B/W rows a step.
  const std::int64_t global_batch = training.mini_batch_size;
  TERN_CHECK(global_batch % ranks == 0, "hyperparameter 'mini_batch_size' (", global_batch,
             ") must divide evenly across the ", ranks, " data-parallel ranks");
  const std::int64_t rank_batch = global_batch / ranks;
  const bool sharded = job.train_distribution == DataDistribution::sharded;
  // The rows this rank checks and summarises: its shard, or its part of the replicated rows.
  const RowRange own_rows = rank_rows(train_reader->num_rows(), rank, ranks);
  // The rows this rank trains on: its shard, or all rows (it takes its slice of every batch).
  const RowRange read_rows = sharded ? own_rows : RowRange{0, train_reader->num_rows()};
  TERN_CHECK(read_rows.size() >= rank_batch, "rank ", rank, " has ", read_rows.size(), " training rows, fewer than its ",
             rank_batch, " rows of each global batch of ", global_batch);

  // File mode reads the rows once and trains from memory; pipe mode streams them.
  std::optional<InMemoryReader> memory_rows;
  if (job.ingestion_mode == IngestionMode::file) memory_rows.emplace(read_dataset(*train_reader, read_rows.begin, read_rows.end));
  // memory_rows numbers its rows from 0: row r there is row r + read_rows.begin of the file.
  DenseReader& rows_source = memory_rows ? static_cast<DenseReader&>(*memory_rows) : *train_reader;
  const std::int64_t source_offset = memory_rows ? read_rows.begin : 0;
  const RowRange own_in_source{own_rows.begin - source_offset, own_rows.end - source_offset};
  validate_channel(rows_source, own_in_source, source_offset, architecture_.task, architecture_.num_classes, "train");
  Dataset validation;
  if (validation_reader) {
    validate_channel(*validation_reader, rank_rows(validation_reader->num_rows(), rank, ranks), 0, architecture_.task,
                     architecture_.num_classes, "validation");
    validation = read_dataset(*validation_reader, 0, validation_reader->num_rows());
  }

  const std::int64_t features = architecture_.num_features;
  feature_mean_ = Tensor::zeros({features});
  feature_inverse_std_ = Tensor::full({features}, 1.0f);
  label_mean_ = 0.0f;
  label_std_ = 1.0f;
  if (training.normalize_data) {
    const ColumnStatistics statistics = column_statistics(rows_source, own_in_source, comm);
    for (std::int64_t c = 0; c < features; ++c) {
      feature_mean_.data<float>()[c] = static_cast<float>(statistics.feature_mean[static_cast<std::size_t>(c)]);
      feature_inverse_std_.data<float>()[c] =
          static_cast<float>(1.0 / statistics.feature_std[static_cast<std::size_t>(c)]);
    }
    if (architecture_.task == TaskKind::regression) {
      label_mean_ = static_cast<float>(statistics.label_mean);
      label_std_ = static_cast<float>(statistics.label_std);
    }
  }
  build_network(training.seed);
  move_parameters_to(parameters_, job.device);
  std::unique_ptr<Loss> loss = make_loss(architecture_.task);
  std::unique_ptr<GradientAveraging> averaging;
  if (ranks > 1) {
    TERN_CHECK(job.make_gradient_averaging != nullptr, "a ", ranks, "-rank job without gradient averaging");
    averaging = job.make_gradient_averaging(parameters_);
  }
  ParameterUpdate update(parameters_, training.optimizer, {.averaging = averaging.get()},
                         training.precision.loss_scaling, training.clip_gradient);
  update.broadcast_parameters();
  const DynamicLossScaler* loss_scaler = update.loss_scaler();

  // Every rank runs the same number of steps per epoch (agreed before training), so uneven
  // shards never leave a rank waiting in a collective.
  const std::int64_t steps_per_epoch =
      allreduce_value(comm, read_rows.size() / (sharded ? rank_batch : global_batch), ReduceOp::min);
  const std::int64_t total_steps = steps_per_epoch * training.epochs;
  training.schedule.total_steps = total_steps;
  job.log.info("mlp: " + std::to_string(train_reader->num_rows()) + " training rows x " + std::to_string(features) +
               " features on " + std::to_string(ranks) + " rank(s) (" +
               std::string(data_distribution_name(job.train_distribution)) + "), " + std::to_string(training.epochs) +
               " epochs of " + std::to_string(steps_per_epoch) + " steps, global batch " + std::to_string(global_batch));

  ProgressReporter progress(total_steps, training.epochs, job.show_progress && rank == 0);
  // Early stopping keeps a copy of the parameters of the best evaluation and ends with them.
  std::optional<EarlyStopping> early_stopping;
  if (training.early_stopping) {
    early_stopping.emplace(*training.early_stopping);
    early_stopping->watch(parameters_);
  }
  std::int64_t step = 0;
  double epoch_loss_sum = 0.0;  // this rank's batch losses so far in the epoch

  // A checkpoint: rank 0's file holds the state every rank shares (parameters, optimizer,
  // early stopping, and the ranks' mean epoch loss so far); each rank's file its own epoch loss.
  // With replicated rows the number of ranks may change across a resume (the global batch is
  // the same); sharded rows tie the data to the ranks.
  TrainingCheckpoints checkpoints(job, comm, training.checkpoints,
                                  {{"algorithm", "mlp"},
                                   {"ranks", ranks},
                                   {"distribution", std::string(data_distribution_name(job.train_distribution))},
                                   {"global_batch", global_batch},
                                   {"steps_per_epoch", steps_per_epoch}},
                                  sharded ? std::set<std::string>{} : std::set<std::string>{"ranks"});
  const auto checkpoint_state = [&] {
    ModelFile state;
    state.algorithm = "mlp";
    state.attributes["epoch_loss_sum"] = exact_double(epoch_loss_sum);
    const double mean_epoch_loss_sum = allreduce_value(comm, epoch_loss_sum, ReduceOp::average);
    if (rank != 0) return state;
    state.attributes["mean_epoch_loss_sum"] = exact_double(mean_epoch_loss_sum);
    save_parameters(parameters_, state);
    update.save_state(state);
    if (early_stopping) early_stopping->save_state(state);
    return state;
  };
  if (const std::optional<LoadedCheckpoint> loaded = checkpoints.resume()) {
    const ModelFile shared = loaded->read(0);
    load_parameters(shared, parameters_);
    update.load_state(shared);
    if (early_stopping) early_stopping->load_state(shared);
    step = loaded->step;
    // The same ranks continue their own sums; other ranks continue from the mean (rank 0 holding it all).
    if (loaded->ranks == ranks) {
      epoch_loss_sum = exact_double((rank == 0 ? shared : loaded->read(rank)).attributes.at("epoch_loss_sum"));
    } else {
      epoch_loss_sum = rank == 0 ? exact_double(shared.attributes.at("mean_epoch_loss_sum")) * ranks : 0.0;
    }
    progress.start_at(step);
  }

  const std::int64_t first_epoch = step / steps_per_epoch;
  for (std::int64_t epoch = first_epoch; epoch < training.epochs && !(early_stopping && early_stopping->should_stop());
       ++epoch) {
    EpochPlan plan{.row_begin = read_rows.begin,
                   .row_end = read_rows.end,
                   .batch_rows = sharded ? rank_batch : global_batch,
                   .seed = training.seed,
                   .epoch = static_cast<std::uint64_t>(epoch),
                   .shuffle = training.shuffle,
                   .drop_last = true,
                   .slice_index = sharded ? 0 : rank,
                   .slice_count = sharded ? 1 : ranks,
                   .first_batch = epoch == first_epoch ? step % steps_per_epoch : 0};
    std::optional<BatchStream> batches;
    if (memory_rows) {
      batches.emplace(memory_rows->dataset(), plan);
    } else {
      batches.emplace(rows_source, plan, IngestionMode::pipe, job.pipe_memory_bytes);
    }
    Batch batch;
    const auto epoch_start = std::chrono::steady_clock::now();
    std::int64_t epoch_steps_run = 0;
    for (std::int64_t epoch_step = plan.first_batch; epoch_step < steps_per_epoch && batches->next(batch);
         ++epoch_step, ++step) {
      job.faults.at_step(step);
      const Tensor x = standardized(batch.features).to(job.device);
      Tensor targets = batch.labels;
      if (architecture_.task == TaskKind::regression) {
        targets = batch.labels.clone();
        for (float& target : targets.values()) target = (target - label_mean_) / label_std_;
      }
      targets = targets.to(job.device);
      // The slice's first row within the global batch, so dropout masks match any layout.
      const std::int64_t first_sample = sharded ? rank * rank_batch : batch.first_position % global_batch;
      Saved saved(ForwardMode{.training = true,
                              .seed = training.seed,
                              .step = static_cast<std::uint64_t>(step),
                              .first_sample = first_sample,
                              .gemm_dtype = training.precision.gemm_dtype,
                              .gradient_listener = averaging.get()});
      saved.input_gradient = false;  // x is data
      const Tensor outputs = network_.forward(x, saved);
      Saved loss_saved;
      double batch_loss = loss->forward(outputs, targets, loss_saved);
      update.backward_and_step(network_, saved, loss->backward(loss_saved),
                               static_cast<float>(training.schedule.rate_at(step)));

      epoch_loss_sum += batch_loss;
      if (step % training.log_interval == 0) {
        batch_loss = allreduce_value(comm, batch_loss, ReduceOp::average);
        job.metrics.record(step, epoch, "train:loss", batch_loss);
        if (loss_scaler) job.metrics.record(step, epoch, "train:loss_scale", loss_scaler->scale());
      }
      progress.step_done(step, epoch, batch.features.dim(0) * ranks, batch_loss);
      ++epoch_steps_run;
      // A checkpoint or a stop between steps; the epoch's last step is followed by its evaluation.
      if (epoch_step + 1 < steps_per_epoch && checkpoints.after_step(step + 1, std::nullopt, checkpoint_state)) return;
    }
    const double epoch_loss = allreduce_value(comm, epoch_loss_sum, ReduceOp::average) /
                              static_cast<double>(std::max<std::int64_t>(steps_per_epoch, 1));
    // Training throughput over the epoch's steps (the global batch a step), validation not counted.
    const double epoch_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
    job.metrics.record(step, epoch, "train:epoch_loss", epoch_loss);
    job.metrics.record(step, epoch, "train:samples_per_s",
                       static_cast<double>(epoch_steps_run * global_batch) / std::max(epoch_seconds, 1e-9));
    std::string summary = "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(training.epochs) +
                          ": train loss " + std::to_string(epoch_loss);
    if (loss_scaler) {
      summary += ", loss scale " + float_text(static_cast<float>(loss_scaler->scale())) + " (" +
                 std::to_string(loss_scaler->skipped_steps()) + " steps skipped for f16 overflow so far)";
    }
    if (validation.rows() > 0) {
      const Predictions predicted = predict_across_ranks(*this, validation, comm);
      for (const auto& [metric, value] : metric_report(predicted, validation.labels, features)) {
        job.metrics.record(step, epoch, "validation:" + metric, value);
        summary += ", validation " + metric + " " + std::to_string(value);
        // The same value on every rank (predicted across ranks): all keep and stop alike.
        if (early_stopping && metric == training.early_stopping->metric) early_stopping->record(value, step, epoch);
      }
    }
    job.log.info(summary);
    epoch_loss_sum = 0.0;
    const bool more_epochs = epoch + 1 < training.epochs && !(early_stopping && early_stopping->should_stop());
    if (more_epochs && checkpoints.after_step(step, epoch + 1, checkpoint_state)) return;
  }
  if (early_stopping) {
    early_stopping->restore_best();
    job.summary["early_stopping"] = early_stopping->summary();
    job.log.info("early stopping: keeping the model of epoch " +
                 std::to_string(early_stopping->summary().at("best_epoch").get<std::int64_t>() + 1) + " (" +
                 training.early_stopping->metric + " " +
                 std::to_string(early_stopping->summary().at("best_value").get<double>()) + ")" +
                 (early_stopping->should_stop() ? ", stopped early" : ""));
  }
}

Predictions Mlp::predict(const Dataset& data) {
  const std::int64_t rows = data.rows();
  Predictions predictions;
  predictions.task = architecture_.task;
  const std::int64_t outputs = num_outputs();
  predictions.scores = architecture_.task == TaskKind::multiclass_classification ? Tensor::empty({rows, outputs})
                                                                                  : Tensor::empty({rows});
  predictions.labels = Tensor::empty({rows});
  for (std::int64_t begin = 0; begin < rows; begin += kPredictionChunkRows) {
    const std::int64_t end = std::min(rows, begin + kPredictionChunkRows);
    const Tensor z = evaluate_outputs(standardized(data.features.rows(begin, end)));
    float* scores = predictions.scores.data<float>() + begin * (predictions.scores.ndim() == 2 ? outputs : 1);
    float* labels = predictions.labels.data<float>() + begin;
    const float* logits = z.data<float>();
    const std::int64_t count = end - begin;
    switch (architecture_.task) {
      case TaskKind::binary_classification:
        for (std::int64_t r = 0; r < count; ++r) {
          scores[r] = kernels::sigmoid(logits[r]);
          labels[r] = scores[r] >= 0.5f ? 1.0f : 0.0f;
        }
        break;
      case TaskKind::multiclass_classification:
        kernels::cpu::softmax(logits, count, outputs, scores);
        for (std::int64_t r = 0; r < count; ++r) {
          const float* row = scores + r * outputs;
          labels[r] = static_cast<float>(std::max_element(row, row + outputs) - row);
        }
        break;
      case TaskKind::regression:
        for (std::int64_t r = 0; r < count; ++r) {
          scores[r] = logits[r] * label_std_ + label_mean_;
          labels[r] = scores[r];
        }
        break;
      case TaskKind::projection:
    case TaskKind::clustering: break;  // not mlp tasks
    }
  }
  return predictions;
}

ModelFile Mlp::export_model() const {
  ModelFile file;
  file.attributes = {{"predictor_type", predictor_type_name(architecture_.task)},
                     {"num_classes", architecture_.num_classes},
                     {"num_features", architecture_.num_features},
                     {"hidden_sizes", architecture_.hidden_sizes},
                     {"activation", activation_name(architecture_.activation)},
                     {"dropout", architecture_.dropout},
                     {"label_mean", label_mean_},
                     {"label_std", label_std_}};
  file.tensors.emplace("normalization/feature_mean", feature_mean_);
  file.tensors.emplace("normalization/feature_inverse_std", feature_inverse_std_);
  for (const Parameter* parameter : parameters_)
    file.tensors.emplace("parameters/" + parameter->name, parameter->value.to(Device::cpu()));
  return file;
}

void Mlp::import_model(const ModelFile& file) {
  const nlohmann::json& attributes = file.attributes;
  architecture_.task = parse_predictor_type(attributes.at("predictor_type").get<std::string>());
  architecture_.num_classes = attributes.at("num_classes").get<std::int64_t>();
  architecture_.num_features = attributes.at("num_features").get<std::int64_t>();
  architecture_.hidden_sizes = attributes.at("hidden_sizes").get<std::vector<std::int64_t>>();
  architecture_.activation = parse_activation(attributes.at("activation").get<std::string>());
  architecture_.dropout = attributes.at("dropout").get<float>();
  label_mean_ = attributes.at("label_mean").get<float>();
  label_std_ = attributes.at("label_std").get<float>();
  feature_mean_ = file.tensor("normalization/feature_mean").clone();
  feature_inverse_std_ = file.tensor("normalization/feature_inverse_std").clone();
  build_network(0);
  for (Parameter* parameter : parameters_) {
    const Tensor& stored = file.tensor("parameters/" + parameter->name);
    TERN_CHECK(stored.shape() == parameter->value.shape(), "model tensor ", parameter->name, " has shape ",
               shape_string(stored.shape()), ", the architecture needs ", shape_string(parameter->value.shape()));
    parameter->value.copy_from(stored);
  }
}

}  // namespace tern
