// Checks that data is fit for training, run before the first step so that bad input fails
// with a clear message (DESIGN §7) instead of a NaN loss hours later: no empty data set, no
// NaN/Inf features or labels, classification labels that are integers in [0, num_classes),
// and the same feature count in every channel.
//
// The checks cover the rows they are given; the caller decides which (its shard, say). Rows
// and feature columns in messages are 0-based indices into the data set's source file
// (Dataset::first_row is added).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/data/dataset.h"

namespace tern {

// What an algorithm's predictions are: class scores, values, or, for the unsupervised ones whose
// labels are ignored, each row's new coordinates (projection: pca) or its cluster (clustering:
// kmeans).
enum class TaskKind { binary_classification, multiclass_classification, regression, projection, clustering };

// Throws a tern::Error naming `channel` ("train", ...), the source file, the row and the column
// or value of the first problem found. num_classes is used by multiclass classification only
// (binary labels are 0 or 1).
void validate_dataset(const Dataset& dataset, TaskKind task, int num_classes, std::string_view channel);

// The label checks alone (for sparse rows): finite, and for classification integers in range.
// `where` names the channel and file; rows are numbered from first_row.
void validate_labels(std::span<const float> labels, TaskKind task, int num_classes, std::string_view where,
                     std::int64_t first_row);

// Throws when two channels disagree on the number of features.
void check_same_features(std::string_view channel_a, std::int64_t features_a, std::string_view channel_b,
                         std::int64_t features_b);

}  // namespace tern
