// Private to engine: the registry's matching state (feature extractor under
// the token key, the model) and the blocking tokens it stores.
#ifndef KINLINK_ENGINE_INTERNAL_MATCHER_H_
#define KINLINK_ENGINE_INTERNAL_MATCHER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "linkage/compare.h"
#include "linkage/features.h"
#include "score/model.h"

namespace kinlink::engine::internal {

struct Matcher {
  std::unique_ptr<linkage::FeatureExtractor> extractor;
  score::FellegiSunterModel model;
  linkage::CompareThresholds thresholds;
  // Extra extractors for IndexPending's worker threads.
  std::vector<std::unique_ptr<linkage::FeatureExtractor>> helpers;
};

// Rules 0..kBlockingRules-1 are linkage's; these name-only rules follow
// them (used by search when the others find too little).
inline constexpr std::uint8_t kRuleGivenFamilySkeleton = linkage::kBlockingRules;
inline constexpr std::uint8_t kRuleFamilySkeleton = linkage::kBlockingRules + 1;
inline constexpr std::uint8_t kRuleGivenSkeleton = linkage::kBlockingRules + 2;
inline constexpr std::uint8_t kRuleCount = linkage::kBlockingRules + 3;

// A stored blocking token: the rule number, then 8 bytes of the rule's
// keyed key (64 bits are plenty to tell blocks apart; a collision only
// adds a candidate that comparison then rejects). "" when the rule does not
// apply to the record.
std::string BlockingToken(std::uint8_t rule, const linkage::Features& f,
                          const linkage::BlockingKeyRow& keys);

// The tokens of rules [first, last) that apply.
std::vector<std::string> BlockingTokens(const linkage::Features& f,
                                        const linkage::BlockingKeyRow& keys, std::uint8_t first,
                                        std::uint8_t last);

}  // namespace kinlink::engine::internal

#endif  // KINLINK_ENGINE_INTERNAL_MATCHER_H_
