#include "score/comparison.h"

#include <string>
#include <unordered_set>

namespace kinlink::score {

std::string FieldSpec::LevelLabel(int level) const {
  if (level >= 0 && static_cast<std::size_t>(level) < level_labels.size()) {
    return level_labels[static_cast<std::size_t>(level)];
  }
  if (level == missing()) return "missing";
  return "level " + std::to_string(level);
}

Status ComparisonSpec::Validate() const {
  if (fields.empty()) return InvalidArgumentError("comparison spec has no fields");
  if (fields.size() > kMaxFields) {
    return InvalidArgumentError("comparison spec has " + std::to_string(fields.size()) +
                                " fields, over kMaxFields=" + std::to_string(kMaxFields));
  }
  std::unordered_set<std::string> names;
  for (std::size_t f = 0; f < fields.size(); ++f) {
    const FieldSpec& fs = fields[f];
    const std::string where = "field " + std::to_string(f);
    if (fs.name.empty()) return InvalidArgumentError(where + ": empty name");
    if (!names.insert(fs.name).second) {
      return InvalidArgumentError(where + " '" + fs.name + "': duplicate name");
    }
    if (fs.num_levels < 3 || fs.num_levels > kMaxLevels) {
      return InvalidArgumentError(where + " '" + fs.name + "': num_levels " +
                                  std::to_string(fs.num_levels) + " not in [3, " +
                                  std::to_string(kMaxLevels) + "]");
    }
    if (fs.missing() < 0 || fs.missing() >= fs.num_levels) {
      return InvalidArgumentError(where + " '" + fs.name + "': missing level out of range");
    }
    if (fs.group < 0 || fs.group >= kMaxGroups) {
      return InvalidArgumentError(where + " '" + fs.name + "': group not in [0, " +
                                  std::to_string(kMaxGroups - 1) + "]");
    }
    if (fs.tf_adjustable && fs.missing() == 0) {
      return InvalidArgumentError(where + " '" + fs.name +
                                  "': level 0 cannot be both missing and tf-adjustable");
    }
    if (!fs.level_labels.empty() &&
        fs.level_labels.size() != static_cast<std::size_t>(fs.num_levels)) {
      return InvalidArgumentError(where + " '" + fs.name + "': " +
                                  std::to_string(fs.level_labels.size()) + " labels for " +
                                  std::to_string(fs.num_levels) + " levels");
    }
  }
  return OkStatus();
}

int ComparisonSpec::FieldIndex(const std::string& name) const {
  for (std::size_t f = 0; f < fields.size(); ++f) {
    if (fields[f].name == name) return static_cast<int>(f);
  }
  return -1;
}

void ComparisonMatrix::Append(std::span<const std::uint8_t> levels) {
  levels_.insert(levels_.end(), levels.begin(), levels.end());
}

void ComparisonMatrix::AppendRows(std::span<const std::uint8_t> levels) {
  levels_.insert(levels_.end(), levels.begin(), levels.end());
}

Status ComparisonMatrix::Validate(const ComparisonSpec& spec) const {
  if (spec.num_fields() != num_fields_) {
    return InvalidArgumentError("comparison matrix has " + std::to_string(num_fields_) +
                                " fields, spec has " + std::to_string(spec.num_fields()));
  }
  if (num_fields_ == 0) return OkStatus();
  if (levels_.size() % num_fields_ != 0) {
    return InvalidArgumentError("comparison matrix size is not a multiple of the field count");
  }
  const std::size_t rows = num_pairs();
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t f = 0; f < num_fields_; ++f) {
      if (levels_[i * num_fields_ + f] >= spec.fields[f].num_levels) {
        return InvalidArgumentError("comparison vector " + std::to_string(i) + ", field '" +
                                    spec.fields[f].name + "': level out of range");
      }
    }
  }
  return OkStatus();
}

}  // namespace kinlink::score
