#include "score/term_frequency.h"

#include <algorithm>

namespace kinlink::score {

void TermFrequencyTable::Add(const Key128& key, std::uint64_t count) {
  if (key.empty() || count == 0) return;
  counts_[key] += count;
  total_ += count;
}

std::uint64_t TermFrequencyTable::Count(const Key128& key) const {
  auto it = counts_.find(key);
  return it == counts_.end() ? 0 : it->second;
}

double TermFrequencyTable::Frequency(const Key128& key) const {
  if (key.empty() || total_ == 0) return 0.0;
  return static_cast<double>(Count(key)) / static_cast<double>(total_);
}

double TermFrequencyTable::PairFrequency(const Key128& a, const Key128& b) const {
  return std::max(Frequency(a), Frequency(b));
}

}  // namespace kinlink::score
