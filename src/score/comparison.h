// Comparison vectors: for each candidate pair, one agreement level per field.
// A ComparisonSpec names the fields and their levels; a ComparisonMatrix
// holds many vectors compactly (one byte per field, row-major).
//
// Levels of a field with L levels: 0 is the strongest agreement, higher
// levels are weaker, the weakest non-missing level is "disagree", and one
// designated level (by default L-1) means "missing on either side": it adds
// no evidence (weight 0) and is skipped by every estimator.
//
// Thread-safety: values; const methods may be called concurrently.
//
//   ComparisonSpec spec;
//   spec.fields.push_back(FieldSpec::Make("given_name", 4, /*tf_adjustable=*/true));
//   ComparisonMatrix m(spec.fields.size());
//   m.Append({0});
#ifndef KINLINK_SCORE_COMPARISON_H_
#define KINLINK_SCORE_COMPARISON_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "score/types.h"

namespace kinlink::score {

// Limits on a spec (levels are stored in one byte).
inline constexpr int kMaxLevels = 64;
inline constexpr std::size_t kMaxFields = 128;
// Field groups are numbered 1..kMaxGroups-1 (FieldSpec::group).
inline constexpr int kMaxGroups = 8;

struct FieldSpec {
  // A field with the default missing level (the last) and no labels.
  static FieldSpec Make(std::string name, int num_levels, bool tf_adjustable = false) {
    FieldSpec f;
    f.name = std::move(name);
    f.num_levels = num_levels;
    f.tf_adjustable = tf_adjustable;
    return f;
  }

  std::string name;
  // Number of levels including the missing level; at least 3 (agree,
  // disagree, missing) and at most kMaxLevels.
  int num_levels = 3;
  // The level meaning "missing"; -1 means num_levels - 1.
  int missing_level = -1;
  // Whether level 0 (exact agreement) may take a term-frequency adjustment.
  bool tf_adjustable = false;
  // Optional display labels, one per level; empty means "level N" and
  // "missing".
  std::vector<std::string> level_labels;
  // Fields of one group (> 0) are evidence of one thing: in a weight, only
  // the strongest agreement of the group counts, while every disagreement
  // does. For places, which move together with the family (siblings share
  // birth place and locality), so that their agreements do not add up as
  // if independent. 0 = no group.
  int group = 0;

  int missing() const { return missing_level < 0 ? num_levels - 1 : missing_level; }
  // Label of `level` (precondition: 0 <= level < num_levels).
  std::string LevelLabel(int level) const;
};

struct ComparisonSpec {
  std::vector<FieldSpec> fields;

  std::size_t num_fields() const { return fields.size(); }
  // INVALID_ARGUMENT when there are no fields or more than kMaxFields, a
  // name is empty or repeated, a level count is out of range, the missing
  // level is out of range, or labels are given but not one per level.
  Status Validate() const;
  // Index of the field called `name`, or -1.
  int FieldIndex(const std::string& name) const;
};

// Row-major levels: row i holds the vector of pair i.
class ComparisonMatrix {
 public:
  ComparisonMatrix() = default;
  explicit ComparisonMatrix(std::size_t num_fields) : num_fields_(num_fields) {}

  std::size_t num_fields() const { return num_fields_; }
  std::size_t num_pairs() const { return num_fields_ == 0 ? 0 : levels_.size() / num_fields_; }
  bool empty() const { return levels_.empty(); }

  void Reserve(std::size_t pairs) { levels_.reserve(pairs * num_fields_); }
  void Clear() { levels_.clear(); }
  // Appends one vector. Precondition: levels.size() == num_fields().
  void Append(std::span<const std::uint8_t> levels);
  void Append(std::initializer_list<std::uint8_t> levels) {
    Append(std::span<const std::uint8_t>(levels.begin(), levels.size()));
  }
  // Appends `levels` (a multiple of num_fields() bytes, several rows).
  void AppendRows(std::span<const std::uint8_t> levels);

  std::span<const std::uint8_t> Row(std::size_t i) const {
    return {levels_.data() + i * num_fields_, num_fields_};
  }
  std::span<std::uint8_t> MutableRow(std::size_t i) {
    return {levels_.data() + i * num_fields_, num_fields_};
  }
  const std::vector<std::uint8_t>& data() const { return levels_; }

  // INVALID_ARGUMENT when the field count differs from the spec or a level
  // is out of range (the message names the row and field, not a value).
  Status Validate(const ComparisonSpec& spec) const;

 private:
  std::size_t num_fields_ = 0;
  std::vector<std::uint8_t> levels_;
};

// Candidate pairs with their comparison vectors (row i belongs to pairs[i]).
struct PairBatch {
  std::vector<RecordPair> pairs;
  ComparisonMatrix vectors;
};

}  // namespace kinlink::score

#endif  // KINLINK_SCORE_COMPARISON_H_
