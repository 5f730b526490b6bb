#include "core/algorithms/gpt_language_model.h"

#include <chrono>
#include <cmath>
#include <map>

#include "core/algorithms/hyperparameters.h"
#include "core/algorithms/optimizer_hyperparameters.h"
#include "core/backend/backend.h"
#include "core/data/token_stream.h"
#include "core/job/early_stopping.h"
#include "core/job/progress.h"
#include "core/job/training_checkpoints.h"
#include "core/nn/sharding.h"
#include "core/nn/vocab_parallel_cross_entropy.h"
#include "core/optim/gradient_averaging.h"
#include "core/optim/parameter_update.h"
#include "core/pipeline/pipeline_runner.h"
#include "core/pipeline/pipeline_stages.h"
#include "core/random/random.h"
#include "kernels/common/philox.h"

namespace tern {

namespace {

constexpr std::int64_t kEvaluationBatch = 32;  // windows a forward when evaluating

struct TrainingConfig {
  std::int64_t mini_batch_size = 16;  // global windows a step
  std::int64_t epochs = 1;
  std::int64_t max_steps = 0;  // when > 0, the number of steps (epochs repeat as needed)
  std::uint64_t seed = 0;
  float clip_gradient = 0.0f;
  PrecisionConfig precision;
  std::int64_t log_interval = 10;
  std::int64_t eval_interval = 0;  // steps between validations; 0: at the end only
  std::int64_t eval_sequences = 256;
  bool activation_checkpointing = false;
  std::int64_t micro_batches = 1;  // per rank and step; with pp > 1 they fill the pipeline
  PipelineScheduleKind schedule_kind = PipelineScheduleKind::one_forward_one_backward;
  std::vector<std::int64_t> stage_layers;  // blocks per stage; empty: balanced by parameters
  bool zero = false;  // ZeRO-1 (zero_stage = 1)
  OptimizerConfig optimizer;
  LearningRateSchedule schedule;
  std::optional<EarlyStoppingConfig> early_stopping;  // on validation loss or perplexity, per evaluation
  CheckpointConfig checkpoints;
};

// The windows of a token stream: window k is tokens [k·L, k·L + L] (L + 1 tokens).
struct Windows {
  const std::vector<std::int32_t>& tokens;
  std::int64_t length;
  std::int64_t count() const { return static_cast<std::int64_t>(tokens.size() - 1) / length; }
};

// The inputs [n, L] (i32) and next-token targets [n·L] (class indices as floats) of windows.
std::pair<Tensor, Tensor> batch_of(const Windows& windows, std::span<const std::int64_t> window_indices) {
  const auto n = static_cast<std::int64_t>(window_indices.size());
  const std::int64_t length = windows.length;
  Tensor ids = Tensor::empty({n, length}, DType::i32), targets = Tensor::empty({n * length});
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int32_t* window = windows.tokens.data() + window_indices[static_cast<std::size_t>(i)] * length;
    for (std::int64_t t = 0; t < length; ++t) {
      ids.data<std::int32_t>()[i * length + t] = window[t];
      targets.data<float>()[i * length + t] = static_cast<float>(window[t + 1]);
    }
  }
  return {ids, targets};
}

// Σ of the token losses and the token count over windows [begin, end), in evaluation mode,
// through the pipeline of `model`'s stage (a whole model: a pipeline of one). Only the last
// stage's first tensor-parallel rank returns them; the others return zeros.
std::pair<double, double> loss_sum(Gpt& model, Communicator& tensor_parallel, Communicator& pipeline,
                                   const Windows& windows, std::int64_t begin, std::int64_t end, const Device& device) {
  VocabParallelCrossEntropy loss(tensor_parallel, model.first_vocabulary_id(), model.config().vocab_size);
  const bool counts = model.last_stage() && tensor_parallel.rank() == 0;
  double sum = 0.0, tokens = 0.0;
  std::vector<std::int64_t> indices;
  for (std::int64_t first = begin; first < end; first += kEvaluationBatch) {
    indices.clear();
    for (std::int64_t w = first; w < std::min(end, first + kEvaluationBatch); ++w) indices.push_back(w);
    const auto [ids, targets] = batch_of(windows, indices);
    const Tensor device_targets = targets.to(device);
    PipelineStepWork work{
        .input = [&](std::int64_t) { return ids.to(device); },
        .loss_gradient =
            [&](const Tensor& logits, std::int64_t) {
              Saved loss_saved;
              const double mean = loss.forward(logits, device_targets, loss_saved);
              if (counts) {
                sum += mean * static_cast<double>(targets.numel());
                tokens += static_cast<double>(targets.numel());
              }
              return Tensor();
            },
        .mode = [](std::int64_t) { return ForwardMode{.training = false}; },
        .activation_shape = {ids.dim(0), ids.dim(1), model.config().d_model},
        .device = device};
    run_pipeline_step(model, pipeline, forward_only_schedule(pipeline.size(), pipeline.rank(), 1), work);
  }
  return {sum, tokens};
}

// −Σ p log p of the token frequencies, in nats: the loss of the best model that ignores context.
double unigram_entropy(const std::vector<std::int32_t>& tokens) {
  std::map<std::int32_t, double> counts;
  for (const std::int32_t token : tokens) counts[token] += 1.0;
  double entropy = 0.0;
  for (const auto& [token, count] : counts) {
    const double p = count / static_cast<double>(tokens.size());
    entropy -= p * std::log(p);
  }
  return entropy;
}

// What this rank holds, in its log: parameters, gradients and optimizer state, and the
// activations the first step's forward kept for backward.
void log_memory(JobContext& job, int rank, const std::vector<Parameter*>& parameters, std::size_t optimizer_bytes,
                std::size_t activation_bytes) {
  std::size_t parameter_bytes = 0, gradient_bytes = 0;
  for (const Parameter* parameter : parameters) {
    parameter_bytes += parameter->value.size_bytes();
    gradient_bytes += parameter->grad.size_bytes();
  }
  const auto mib = [](std::size_t bytes) { return std::to_string(static_cast<double>(bytes) / (1 << 20)) + " MiB"; };
  job.log.info("memory of rank " + std::to_string(rank) + ": parameters " + mib(parameter_bytes) + ", gradients " +
               mib(gradient_bytes) + ", optimizer state " + mib(optimizer_bytes) +
               ", activations kept for backward " + mib(activation_bytes));
}

// How busy this pipeline stage was: the seconds of its forwards and backwards against the
// seconds of the steps' pipeline runs. The rest is the bubble (and communication), which in
// theory is (pp - 1) / (m + pp - 1) of the step for m micro-batches of equal stages.
struct PipelineBusyTime {
  double compute_seconds = 0.0, pipeline_seconds = 0.0;

  void log(JobContext& job, int stage, int stages, std::int64_t micro_batches) const {
    if (pipeline_seconds <= 0.0) return;
    const double theory = static_cast<double>(stages - 1) / static_cast<double>(micro_batches + stages - 1);
    job.log.info("pipeline stage " + std::to_string(stage) + ": computing " +
                 std::to_string(100.0 * compute_seconds / pipeline_seconds) + "% of the pipeline's time; bubble " +
                 std::to_string(1.0 - compute_seconds / pipeline_seconds) + " (theory " + std::to_string(theory) +
                 " for pp=" + std::to_string(stages) + ", " + std::to_string(micro_batches) + " micro-batches)");
  }
};

std::pair<GptConfig, TrainingConfig> read_hyperparameters(HyperparameterReader& read, std::int64_t stream_vocabulary) {
  GptConfig model;
  TrainingConfig training;
  model.n_layer = read.integer("n_layer", 2, Range::at_least(1));
  model.n_head = read.integer("n_head", 2, Range::at_least(1));
  model.d_model = read.integer("d_model", 64, Range::at_least(1));
  model.context = read.integer("seq_len", 64, Range::at_least(1));
  model.vocab_size = read.integer("vocab_size", stream_vocabulary, Range::at_least(1));
  TERN_CHECK(model.vocab_size >= stream_vocabulary, "hyperparameter 'vocab_size' (", model.vocab_size,
             ") is smaller than the training stream's vocabulary (", stream_vocabulary, ")");
  TERN_CHECK(model.d_model % model.n_head == 0, "hyperparameter 'd_model' (", model.d_model,
             ") must be a multiple of 'n_head' (", model.n_head, ")");
  model.dropout = static_cast<float>(read.real("dropout", 0.0, {0.0, 0.99, false}));
  model.tie_embeddings = read.boolean("tie_embeddings", true);
  training.mini_batch_size = read.integer("mini_batch_size", 16, Range::at_least(1));
  training.epochs = read.integer("epochs", 1, Range::at_least(1));
  training.max_steps = read.integer("max_steps", 0, Range::non_negative());
  training.seed = static_cast<std::uint64_t>(read.integer("seed", 0, Range::non_negative()));
  training.clip_gradient = static_cast<float>(read.real("clip_gradient", 0.0, Range::non_negative()));
  training.log_interval = read.integer("log_interval", 10, Range::at_least(1));
  training.eval_interval = read.integer("eval_interval", 0, Range::non_negative());
  training.eval_sequences = read.integer("eval_sequences", 256, Range::non_negative());
  training.activation_checkpointing = read.boolean("activation_checkpointing", false);
  training.micro_batches = read.integer("num_microbatches", 1, Range::at_least(1));
  training.schedule_kind = parse_pipeline_schedule(read.choice("pipeline_schedule", "1f1b", {"gpipe", "1f1b"}));
  training.zero = read.integer("zero_stage", 0, Range::between(0, 1)) == 1;
  training.stage_layers = read.integer_list("stage_layers", {}, Range::at_least(1));
  training.optimizer = read_optimizer_hyperparameters(read);
  training.schedule = read_schedule_hyperparameters(read);
  training.precision = read_precision_hyperparameters(read);
  training.early_stopping = read_early_stopping_hyperparameters(read, {"loss", "perplexity"});
  training.checkpoints = read_checkpoint_hyperparameters(read);
  read.finish();
  return {model, training};
}

}  // namespace

namespace {

// This rank's model-parallel groups, one-rank ones where the layout has none.
struct Groups {
  LocalCommunicator alone;
  Communicator& tensor_parallel;
  Communicator& pipeline;
  Communicator& world;
  explicit Groups(JobContext& job)
      : tensor_parallel(job.model_parallel.tensor_parallel ? *job.model_parallel.tensor_parallel : alone),
        pipeline(job.model_parallel.pipeline_parallel ? *job.model_parallel.pipeline_parallel : alone),
        world(job.model_parallel.world ? *job.model_parallel.world : job.comm) {}
};

// The blocks of every stage: as the job gives them, or balanced by parameter count.
std::vector<StageLayers> stage_split(const GptConfig& config, const TrainingConfig& training, std::int64_t stages) {
  if (!training.stage_layers.empty()) return stages_from_counts(training.stage_layers, config.n_layer, stages);
  const std::int64_t d = config.d_model;
  const StageCosts costs{.layers = config.n_layer,
                         .block_parameters = 12 * d * d + 13 * d,  // qkv, proj, fc, proj, 2 LayerNorms
                         .first_stage_extra = (config.vocab_size + config.context) * d,
                         .last_stage_extra = 2 * d + (config.tie_embeddings && stages == 1 ? 0 : config.vocab_size * d)};
  return balance_stages(costs, stages);
}

// A model-parallel model's parameters joined into a whole model on rank 0 of the replica
// group `replica` (every rank of one replica, in world order: its rank 0 is the job's rank 0).
// Each rank sends its parameters' values, names, shapes and shardings; rank 0 joins the
// tensor-parallel blocks of each name (sharding.h). Returns the whole model on rank 0, null elsewhere.
std::unique_ptr<Gpt> gather_whole_model(Gpt& part, const GptConfig& config, Communicator& replica) {
  struct Block {
    Sharding sharding;
    Tensor value;
  };
  std::map<std::string, std::vector<Block>> blocks;  // by name, in the order they arrive
  const auto keep = [&](const std::string& name, const Sharding& sharding, Tensor value) {
    blocks[name].push_back({sharding, std::move(value)});
  };
  if (replica.rank() == 0) {
    for (Parameter* parameter : part.parameters()) keep(parameter->name, parameter->sharding, parameter->value.to(Device::cpu()));
  }
  for (int sender = 1; sender < replica.size(); ++sender) {
    // [count] then per parameter: [name length, ndim, kind, split_dim, chunks, rank, ranks], name, dims, values
    if (replica.rank() == sender) {
      std::vector<Parameter*> parameters = part.parameters();
      std::int64_t count = static_cast<std::int64_t>(parameters.size());
      replica.send(&count, sizeof count, 0, 0);
      for (Parameter* parameter : parameters) {
        const Tensor value = parameter->value.to(Device::cpu());
        const Sharding& sharding = parameter->sharding;
        std::vector<std::int64_t> header = {static_cast<std::int64_t>(parameter->name.size()),
                                            static_cast<std::int64_t>(value.ndim()),
                                            static_cast<std::int64_t>(sharding.kind), sharding.split_dim,
                                            sharding.chunks, sharding.rank, sharding.ranks};
        header.insert(header.end(), value.shape().begin(), value.shape().end());
        std::int64_t header_size = static_cast<std::int64_t>(header.size());
        replica.send(&header_size, sizeof header_size, 0, 0);
        replica.send(header.data(), header_size * static_cast<std::int64_t>(sizeof(std::int64_t)), 0, 0);
        replica.send(parameter->name.data(), static_cast<std::int64_t>(parameter->name.size()), 0, 0);
        replica.send(value.data<float>(), static_cast<std::int64_t>(value.size_bytes()), 0, 0);
      }
    } else if (replica.rank() == 0) {
      std::int64_t count = 0;
      replica.recv(&count, sizeof count, sender, 0);
      for (std::int64_t p = 0; p < count; ++p) {
        std::int64_t header_size = 0;
        replica.recv(&header_size, sizeof header_size, sender, 0);
        std::vector<std::int64_t> header(static_cast<std::size_t>(header_size));
        replica.recv(header.data(), header_size * static_cast<std::int64_t>(sizeof(std::int64_t)), sender, 0);
        std::string name(static_cast<std::size_t>(header[0]), '\0');
        replica.recv(name.data(), header[0], sender, 0);
        const Sharding sharding{.kind = static_cast<Sharding::Kind>(header[2]), .split_dim = static_cast<int>(header[3]),
                                .chunks = static_cast<int>(header[4]), .rank = static_cast<int>(header[5]),
                                .ranks = static_cast<int>(header[6])};
        Tensor value = Tensor::empty(Shape(header.begin() + 7, header.begin() + 7 + header[1]));
        replica.recv(value.data<float>(), static_cast<std::int64_t>(value.size_bytes()), sender, 0);
        keep(name, sharding, std::move(value));
      }
    }
  }
  if (replica.rank() != 0) return nullptr;
  auto whole = std::make_unique<Gpt>(config, 0);
  for (Parameter* parameter : whole->parameters()) {
    const auto found = blocks.find(parameter->name);
    TERN_CHECK(found != blocks.end(), "gpt: no rank holds parameter ", parameter->name);
    const Sharding& sharding = found->second.front().sharding;
    if (sharding.kind == Sharding::Kind::replicated) {
      parameter->value.copy_from(found->second.front().value);
      continue;
    }
    std::vector<Tensor> ordered(static_cast<std::size_t>(sharding.ranks));
    for (const Block& block : found->second) ordered.at(static_cast<std::size_t>(block.sharding.rank)) = block.value;
    parameter->value.copy_from(unshard(ordered, sharding));
  }
  return whole;
}

}  // namespace

void GptLanguageModel::fit(JobContext& job) {
  TERN_CHECK(job.has_channel("train"), "gpt needs a train channel (--train FILE, a token stream)");
  TERN_CHECK(job.train_distribution == DataDistribution::replicated,
             "gpt reads its token streams replicated (every rank takes its slice of each batch): drop --distribution");
  Communicator& data_parallel = job.comm;
  Groups groups(job);
  const int dp_rank = data_parallel.rank(), dp = data_parallel.size();
  const int tp = groups.tensor_parallel.size(), pp = groups.pipeline.size(), stage = groups.pipeline.rank();
  const int world_rank = groups.world.rank();
  const TokenStream train = read_token_stream(job.channels.at("train"));
  TokenStream validation;
  if (job.has_channel("validation")) validation = read_token_stream(job.channels.at("validation"));

  HyperparameterReader read("gpt", job.hyperparameters);
  auto [model_config, training] = read_hyperparameters(read, train.vocab_size);
  job.resolved_hyperparameters = read.resolved();
  config_ = model_config;
  TERN_CHECK(validation.tokens.empty() || validation.vocab_size <= config_.vocab_size, "the validation stream's vocabulary (",
             validation.vocab_size, ") is larger than the model's (", config_.vocab_size, ")");
  TERN_CHECK(config_.n_head % tp == 0, "layout tp=", tp, ": n_head (", config_.n_head,
             ") must be a multiple of tp, each tensor-parallel rank computing whole heads");
  TERN_CHECK(config_.vocab_size % tp == 0, "layout tp=", tp, ": vocab_size (", config_.vocab_size,
             ") must be a multiple of tp, each tensor-parallel rank holding an equal share of the vocabulary");
  TERN_CHECK(config_.n_layer >= pp, "layout pp=", pp, ": n_layer (", config_.n_layer,
             ") must be at least pp, every pipeline stage holding at least one layer");

  const std::int64_t global_batch = training.mini_batch_size, micro_batches = training.micro_batches;
  TERN_CHECK(global_batch % (dp * micro_batches) == 0, "hyperparameter 'mini_batch_size' (", global_batch,
             ") must divide evenly into ", dp, " data-parallel rank(s) x ", micro_batches, " micro-batch(es)");
  const std::int64_t rank_batch = global_batch / dp, micro_batch = rank_batch / micro_batches;
  const Windows train_windows{train.tokens, config_.context};
  TERN_CHECK(static_cast<std::int64_t>(train.tokens.size()) > config_.context && train_windows.count() >= global_batch,
             "the training stream (", train.tokens.size(), " tokens) holds ", train_windows.count(),
             " windows of seq_len + 1 = ", config_.context + 1, " tokens, fewer than one global batch of ", global_batch);
  const Windows validation_windows{validation.tokens, config_.context};
  TERN_CHECK(validation.tokens.empty() || validation_windows.count() >= 1, "the validation stream (",
             validation.tokens.size(), " tokens) is shorter than one window of ", config_.context + 1, " tokens");

  TERN_CHECK(!training.early_stopping || (!validation.tokens.empty() && training.eval_interval > 0),
             "early_stopping_metric '", training.early_stopping ? training.early_stopping->metric : "",
             "' needs a validation channel (--validation) and eval_interval > 0 (validations to compare)");

  const std::vector<StageLayers> stages = stage_split(config_, training, pp);
  const StageLayers& layers = stages[static_cast<std::size_t>(stage)];
  // A tensor-parallel model refers to the job's tp group; a whole one has a group of its own,
  // so that it outlives fit() (rank 0 tests, saves and generates with it).
  model_ = std::make_unique<Gpt>(config_, training.seed,
                                 GptPartition{tp > 1 ? &groups.tensor_parallel : nullptr, layers.first_layer,
                                              layers.end_layer});
  model_->set_activation_checkpointing(training.activation_checkpointing);
  std::vector<Parameter*> parameters = model_->parameters();
  move_parameters_to(parameters, job.device);

  // With tied embeddings over several stages, the first and the last stage each hold wte: they
  // add up their gradients (over a group of the two) so that the copies stay equal.
  std::unique_ptr<Communicator> embedding_copies;
  if (config_.tie_embeddings && pp > 1) {
    const bool holds_wte = model_->first_stage() || model_->last_stage();
    embedding_copies = groups.pipeline.split(holds_wte ? 0 : 1, stage);
  }
  Parameter* embedding_copy = model_->tied_embedding_copy();
  Parameter* embedding = model_->first_stage() && embedding_copies ? parameters.front() : embedding_copy;
  std::unique_ptr<GradientAveraging> averaging;
  if (dp > 1 && !training.zero) {
    TERN_CHECK(job.make_gradient_averaging != nullptr, "a ", dp, "-replica job without gradient averaging");
    averaging = job.make_gradient_averaging(parameters);
  }
  UpdateLayout layout{.averaging = averaging.get()};
  if (dp > 1 && training.zero) layout.zero_group = job.gradient_group != nullptr ? job.gradient_group : &data_parallel;
  if (training.zero) {
    layout.norm_group = &groups.world;
  } else if (tp * pp > 1) {
    layout.norm_group = job.model_parallel.model_replica;
  }
  if (embedding != nullptr) {
    layout.combine_copies = [&] {
      embedding_copies->allreduce(embedding->grad.device_data<float>(), embedding->grad.numel(), CommType::f32,
                                  ReduceOp::sum);
    };
  }
  ParameterUpdate update(parameters, training.optimizer, layout, training.precision.loss_scaling, training.clip_gradient);
  update.broadcast_parameters();

  const std::int64_t steps_per_epoch = train_windows.count() / global_batch;
  const std::int64_t total_steps = training.max_steps > 0 ? training.max_steps : steps_per_epoch * training.epochs;
  const std::int64_t epochs = (total_steps + steps_per_epoch - 1) / steps_per_epoch;
  training.schedule.total_steps = total_steps;
  std::int64_t parameter_count = 0;
  for (const Parameter* parameter : parameters) parameter_count += parameter->value.numel();
  job.log.info("gpt: " + std::to_string(config_.n_layer) + " layers, " + std::to_string(config_.n_head) + " heads, d_model " +
               std::to_string(config_.d_model) + ", seq_len " + std::to_string(config_.context) + ", vocabulary " +
               std::to_string(config_.vocab_size) + "; layout dp=" + std::to_string(dp) + " pp=" + std::to_string(pp) +
               " tp=" + std::to_string(tp) + (training.zero ? " with ZeRO-1" : "") + "; " +
               std::to_string(train.tokens.size()) + " training tokens (" + std::to_string(train_windows.count()) +
               " windows), " + std::to_string(total_steps) + " steps of " + std::to_string(global_batch) +
               " sequences in " + std::to_string(micro_batches) + " micro-batch(es) a rank; unigram entropy of the " +
               "training tokens " + std::to_string(unigram_entropy(train.tokens)) + " nats");
  job.log.detail("rank " + std::to_string(world_rank) + ": stage " + std::to_string(stage) + " (layers " +
                 std::to_string(layers.first_layer) + " to " + std::to_string(layers.end_layer - 1) +
                 "), tensor-parallel rank " + std::to_string(groups.tensor_parallel.rank()) + ", " +
                 std::to_string(parameter_count) + " parameters");

  // Early stopping keeps a copy of this rank's part of the model at the best evaluation.
  std::optional<EarlyStopping> early_stopping;
  if (training.early_stopping) {
    early_stopping.emplace(*training.early_stopping);
    early_stopping->watch(parameters);
  }
  const auto stopping_early = [&] { return early_stopping && early_stopping->should_stop(); };

  // Validation: each replica evaluates its contiguous share of the windows through its pipeline.
  const auto validate = [&](std::int64_t step, std::int64_t epoch) {
    if (validation.tokens.empty()) return;
    std::int64_t windows = validation_windows.count();
    if (training.eval_sequences > 0) windows = std::min(windows, training.eval_sequences);
    const std::int64_t begin = windows * dp_rank / dp, end = windows * (dp_rank + 1) / dp;
    std::vector<double> sums(2);
    std::tie(sums[0], sums[1]) =
        loss_sum(*model_, groups.tensor_parallel, groups.pipeline, validation_windows, begin, end, job.device);
    allreduce(groups.world, std::span<double>(sums), ReduceOp::sum);
    const double loss = sums[0] / sums[1];
    job.metrics.record(step, epoch, "validation:loss", loss);
    job.metrics.record(step, epoch, "validation:perplexity", std::exp(loss));
    job.log.info("step " + std::to_string(step) + ": validation loss " + std::to_string(loss) + " nats, perplexity " +
                 std::to_string(std::exp(loss)));
    // Every rank has the same value (allreduced): all keep and stop alike.
    const double watched = training.early_stopping && training.early_stopping->metric == "perplexity" ? std::exp(loss) : loss;
    if (early_stopping) early_stopping->record(watched, step, epoch);
  };

  // A checkpoint: the ranks of the first replica hold the model's parts (and, without ZeRO-1,
  // their optimizer state; with it, every rank holds its shard), the step and early stopping's
  // state. A resume needs the same layout: the parts and shards are the layout's.
  const int replica_size = tp * pp;
  const int replica_zero_rank = world_rank % replica_size;  // this rank's place in the first replica
  TrainingCheckpoints checkpoints(job, groups.world, training.checkpoints,
                                  {{"algorithm", "gpt"},
                                   {"ranks", groups.world.size()},
                                   {"dp", dp},
                                   {"tp", tp},
                                   {"pp", pp},
                                   {"zero_stage", training.zero ? 1 : 0},
                                   {"stage_layers", training.stage_layers},
                                   {"num_microbatches", micro_batches},
                                   {"global_batch", global_batch},
                                   {"steps_per_epoch", steps_per_epoch}});
  const auto checkpoint_state = [&] {
    ModelFile state;
    state.algorithm = "gpt";
    if (training.zero) update.save_state(state);
    if (dp_rank != 0) return state;
    save_parameters(parameters, state);
    if (!training.zero) update.save_state(state);
    if (early_stopping) early_stopping->save_state(state);
    return state;
  };

  VocabParallelCrossEntropy loss(groups.tensor_parallel, model_->first_vocabulary_id(), config_.vocab_size);
  const bool counts_loss = model_->last_stage() && groups.tensor_parallel.rank() == 0;
  const std::vector<PipelineAction> actions = pipeline_schedule(training.schedule_kind, pp, stage, micro_batches);
  ProgressReporter progress(total_steps, epochs, job.show_progress && world_rank == 0, "tokens");
  PipelineBusyTime busy;
  std::int64_t step = 0;
  if (const std::optional<LoadedCheckpoint> loaded = checkpoints.resume()) {
    const ModelFile shared = loaded->read(replica_zero_rank);
    load_parameters(shared, parameters);
    update.load_state(training.zero ? loaded->read(world_rank) : shared);
    if (early_stopping) early_stopping->load_state(shared);
    step = loaded->step;
    progress.start_at(step);
  }
  const std::int64_t first_step = step, first_epoch = step / steps_per_epoch;
  for (std::int64_t epoch = first_epoch; epoch < epochs && step < total_steps && !stopping_early(); ++epoch) {
    const std::vector<std::int64_t> order = random_permutation(train_windows.count(), training.seed,
                                                               stream_id("gpt.windows") + static_cast<std::uint64_t>(epoch));
    const auto epoch_start = std::chrono::steady_clock::now();
    std::int64_t epoch_steps = 0;
    for (std::int64_t epoch_step = epoch == first_epoch ? step % steps_per_epoch : 0;
         epoch_step < steps_per_epoch && step < total_steps && !stopping_early(); ++epoch_step, ++step) {
      job.faults.at_step(step);
      const std::span<const std::int64_t> slice(order.data() + epoch_step * global_batch + dp_rank * rank_batch,
                                                static_cast<std::size_t>(rank_batch));
      const auto [host_ids, host_targets] = batch_of(train_windows, slice);
      const Tensor ids = host_ids.to(job.device), targets = host_targets.to(job.device);
      double batch_loss = 0.0;
      PipelineStepWork work{
          .input = [&](std::int64_t i) { return ids.rows(i * micro_batch, (i + 1) * micro_batch); },
          .loss_gradient =
              [&](const Tensor& logits, std::int64_t i) {
                Saved loss_saved;
                const std::int64_t tokens = micro_batch * config_.context;
                batch_loss += loss.forward(logits, targets.rows(i * tokens, (i + 1) * tokens), loss_saved) /
                              static_cast<double>(micro_batches);
                Tensor gradient = loss.backward(loss_saved);  // of the micro-batch's mean: / m for the batch's
                backend_for(gradient.device())
                    .scale(gradient.device_data<float>(),
                           update.loss_gradient_scale() / static_cast<float>(micro_batches), gradient.numel());
                return gradient;
              },
          .mode =
              [&](std::int64_t i) {
                // Gradients are complete only after the last micro-batch's backward.
                return ForwardMode{.training = true,
                                   .seed = training.seed,
                                   .step = static_cast<std::uint64_t>(step),
                                   .first_sample = dp_rank * rank_batch + i * micro_batch,
                                   .gemm_dtype = training.precision.gemm_dtype,
                                   .gradient_listener = i + 1 == micro_batches ? averaging.get() : nullptr};
              },
          .activation_shape = {micro_batch, config_.context, config_.d_model},
          .device = job.device};
      update.begin_step();
      const auto step_start = std::chrono::steady_clock::now();
      const PipelineStepResult result = run_pipeline_step(*model_, groups.pipeline, actions, work, step == first_step);
      if (step == first_step) {
        log_memory(job, world_rank, parameters, update.optimizer_state_bytes(), result.peak_activation_bytes);
      } else {  // the first step measures its activations: not a timing one
        busy.compute_seconds += result.compute_seconds;
        busy.pipeline_seconds +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - step_start).count();
      }
      update.finish_step(static_cast<float>(training.schedule.rate_at(step)));
      ++epoch_steps;
      // The last stages hold the loss: their mean over the replicas, known to every rank.
      batch_loss = allreduce_value(groups.world, counts_loss ? batch_loss : 0.0, ReduceOp::sum) / dp;
      if (step % training.log_interval == 0) {
        job.metrics.record(step, epoch, "train:loss", batch_loss);
        if (update.loss_scaler() != nullptr) job.metrics.record(step, epoch, "train:loss_scale", update.loss_scaler()->scale());
      }
      progress.step_done(step, epoch, global_batch * config_.context, batch_loss);
      if (training.eval_interval > 0 && (step + 1) % training.eval_interval == 0 && step + 1 < total_steps)
        validate(step + 1, epoch);
      // The epoch's throughput after its last step here, then a checkpoint or a stop when more
      // steps follow (the checkpoint records metrics.jsonl with that line in it).
      const bool epoch_done = epoch_step + 1 == steps_per_epoch;
      if (epoch_done || step + 1 == total_steps || stopping_early()) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
        job.metrics.record(step + 1, epoch, "train:tokens_per_s",
                           static_cast<double>(epoch_steps * global_batch * config_.context) / std::max(seconds, 1e-9));
      }
      if (step + 1 < total_steps && !stopping_early() &&
          checkpoints.after_step(step + 1, epoch_done ? std::optional(epoch + 1) : std::nullopt, checkpoint_state))
        return;
    }
  }
  if (pp > 1) busy.log(job, stage, pp, micro_batches);
  if (!stopping_early()) validate(step, (step - 1) / steps_per_epoch);
  if (early_stopping) {
    early_stopping->restore_best();
    job.summary["early_stopping"] = early_stopping->summary();
    job.log.info("early stopping: keeping the model of step " +
                 std::to_string(early_stopping->summary().at("best_step").get<std::int64_t>()) + " (" +
                 training.early_stopping->metric + " " +
                 std::to_string(early_stopping->summary().at("best_value").get<double>()) + ")" +
                 (early_stopping->should_stop() ? ", stopped early" : ""));
  }
  // Rank 0 saves and tests the model: it joins the replica's parts into the whole model. The
  // other ranks drop their parts, which refer to the job's communicators.
  if (tp * pp > 1) {
    std::unique_ptr<Gpt> whole;
    if (dp_rank == 0) whole = gather_whole_model(*model_, config_, *job.model_parallel.model_replica);
    if (whole) move_parameters_to(whole->parameters(), job.device);
    model_ = std::move(whole);
  }
}

namespace {
[[noreturn]] void refuse_row_predictions() {
  throw Error("gpt is a language model: `tern generate` samples text from it, and `tern evaluate` gives its loss on "
              "a token stream");
}
}  // namespace

Predictions GptLanguageModel::predict(const Dataset&) { refuse_row_predictions(); }

Predictions GptLanguageModel::predict_file(const std::filesystem::path&) { refuse_row_predictions(); }

Tensor GptLanguageModel::next_token_logits(const Tensor& ids) {
  TERN_CHECK(model_ != nullptr, "gpt: no model trained or loaded");
  const Device& device = model_->parameters().front()->value.device();
  Saved saved(ForwardMode{.training = false});
  return model_->forward(ids.to(device), saved).to(Device::cpu());
}

std::vector<std::int32_t> GptLanguageModel::generate(std::vector<std::int32_t> prompt, std::int64_t count,
                                                     const SamplingConfig& sampling, std::uint64_t seed) {
  TERN_CHECK(!prompt.empty(), "gpt: generation needs a prompt of at least one token");
  for (const std::int32_t token : prompt) {
    TERN_CHECK(token >= 0 && token < config_.vocab_size, "gpt: prompt token ", token, " is outside the vocabulary of ",
               config_.vocab_size);
  }
  std::vector<std::int32_t> generated;
  for (std::int64_t i = 0; i < count; ++i) {
    const auto window = static_cast<std::int64_t>(std::min<std::size_t>(prompt.size(), config_.context));
    Tensor ids = Tensor::empty({1, window}, DType::i32);
    std::copy(prompt.end() - window, prompt.end(), ids.data<std::int32_t>());
    const Tensor logits = next_token_logits(ids);
    const std::span<const float> last(logits.data<float>() + (window - 1) * config_.vocab_size,
                                      static_cast<std::size_t>(config_.vocab_size));
    const float uniform = kernels::philox_uniform(seed, static_cast<std::uint64_t>(i), stream_id("gpt.generate"));
    generated.push_back(sample_token(last, sampling, uniform));
    prompt.push_back(generated.back());  // the running context
  }
  return generated;
}

MetricValues GptLanguageModel::evaluate_file(const std::filesystem::path& path) {
  TERN_CHECK(model_ != nullptr, "gpt: no model trained or loaded");
  const TokenStream stream = read_token_stream(path);
  TERN_CHECK(stream.vocab_size <= config_.vocab_size, path.string(), ": vocabulary of ", stream.vocab_size,
             " tokens, larger than the model's ", config_.vocab_size);
  const Windows windows{stream.tokens, config_.context};
  TERN_CHECK(stream.tokens.size() > static_cast<std::size_t>(config_.context), path.string(), ": ",
             stream.tokens.size(), " tokens, fewer than one window of ", config_.context + 1);
  LocalCommunicator alone;
  const auto [sum, tokens] =
      loss_sum(*model_, alone, alone, windows, 0, windows.count(), model_->parameters().front()->value.device());
  return {{"loss", sum / tokens}, {"perplexity", std::exp(sum / tokens)}};
}

ModelFile GptLanguageModel::export_model() const {
  ModelFile file;
  file.attributes = {{"vocab_size", config_.vocab_size}, {"seq_len", config_.context},
                     {"n_layer", config_.n_layer},       {"n_head", config_.n_head},
                     {"d_model", config_.d_model},       {"dropout", config_.dropout},
                     {"tie_embeddings", config_.tie_embeddings}};
  for (Parameter* parameter : model_->parameters())
    file.tensors.emplace("parameters/" + parameter->name, parameter->value.to(Device::cpu()));
  return file;
}

void GptLanguageModel::import_model(const ModelFile& file) {
  const nlohmann::json& attributes = file.attributes;
  config_.vocab_size = attributes.at("vocab_size").get<std::int64_t>();
  config_.context = attributes.at("seq_len").get<std::int64_t>();
  config_.n_layer = attributes.at("n_layer").get<std::int64_t>();
  config_.n_head = attributes.at("n_head").get<std::int64_t>();
  config_.d_model = attributes.at("d_model").get<std::int64_t>();
  config_.dropout = attributes.at("dropout").get<float>();
  config_.tie_embeddings = attributes.at("tie_embeddings").get<bool>();
  model_ = std::make_unique<Gpt>(config_, 0);
  for (Parameter* parameter : model_->parameters()) {
    const Tensor& stored = file.tensor("parameters/" + parameter->name);
    TERN_CHECK(stored.shape() == parameter->value.shape(), "model tensor ", parameter->name, " has shape ",
               shape_string(stored.shape()), ", the architecture needs ", shape_string(parameter->value.shape()));
    parameter->value.copy_from(stored);
  }
}

}  // namespace tern
