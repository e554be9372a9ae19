#include "engine/internal/matcher.h"

namespace kinlink::engine::internal {

namespace {

std::uint64_t Mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDULL;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ULL;
  x ^= x >> 33;
  return x;
}

// 64 bits of a keyed key (itself a keyed PRF output: the mix keeps it so).
std::uint64_t Fold(const score::Key128& k) { return Mix(k.hi ^ Mix(k.lo)); }

std::string Token(std::uint8_t rule, std::uint64_t value) {
  std::string out(9, '\0');
  out[0] = static_cast<char>(rule);
  for (int i = 0; i < 8; ++i) out[1 + i] = static_cast<char>(value >> (8 * i));
  return out;
}

}  // namespace

std::string BlockingToken(std::uint8_t rule, const linkage::Features& f,
                          const linkage::BlockingKeyRow& keys) {
  if (rule < linkage::kBlockingRules) {
    if (keys[rule].empty()) return "";
    return Token(rule, Fold(keys[rule]));
  }
  switch (rule) {
    case kRuleGivenFamilySkeleton:
      if (f.given.skeleton.empty() || f.family.skeleton.empty()) return "";
      return Token(rule, Mix(Fold(f.given.skeleton) + 0x9E3779B97F4A7C15ULL * Fold(f.family.skeleton)));
    case kRuleFamilySkeleton:
      if (f.family.skeleton.empty()) return "";
      return Token(rule, Fold(f.family.skeleton));
    case kRuleGivenSkeleton:
      if (f.given.skeleton.empty()) return "";
      return Token(rule, Fold(f.given.skeleton));
    default:
      return "";
  }
}

std::vector<std::string> BlockingTokens(const linkage::Features& f,
                                        const linkage::BlockingKeyRow& keys, std::uint8_t first,
                                        std::uint8_t last) {
  std::vector<std::string> out;
  for (std::uint8_t r = first; r < last; ++r) {
    std::string t = BlockingToken(r, f, keys);
    if (!t.empty()) out.push_back(std::move(t));
  }
  return out;
}

}  // namespace kinlink::engine::internal
