// Keyed tokens for exact comparisons of encoded features: a birth year, a
// consonant skeleton, a variant-group id, a blocking key. Two records share
// a token exactly when they share the value (under the same field key and
// domain), and without the key a token reveals nothing about the value.
//
//   token = BLAKE2b-128 keyed with the field key over (domain, value)
//           (crypto::Token; the domain is length-prefixed, so ("ab","c")
//           and ("a","bc") differ).
// Domains keep uses apart: the year 1988 as a birth year and as a year of
// an age interval are different tokens only if their domains differ — see
// match/dates.h for the date domains.
//
// Thread-safety: Token128 is a value type; MakeToken is pure.
//
//   Token128 t = MakeToken(field_key, "given.skeleton", "MHMD");
//   std::unordered_set<Token128, Token128Hash> seen{t};
#ifndef KINLINK_MATCH_TOKENS_H_
#define KINLINK_MATCH_TOKENS_H_

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/crypto.h"

namespace kinlink::match {

// 16 opaque bytes; ordered and hashed by value.
struct Token128 {
  std::array<std::uint8_t, 16> bytes{};

  // INVALID_ARGUMENT unless `raw` is exactly 16 bytes.
  static Result<Token128> FromBytes(std::string_view raw);
  std::string ToBytes() const {
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  std::string ToHex() const { return crypto::ToHex(ToBytes()); }

  friend auto operator<=>(const Token128&, const Token128&) = default;
  friend bool operator==(const Token128&, const Token128&) = default;
};

// Tokens are uniformly random already: the first 8 bytes are a good hash.
struct Token128Hash {
  std::size_t operator()(const Token128& t) const {
    std::uint64_t h = 0;
    std::memcpy(&h, t.bytes.data(), sizeof h);
    return static_cast<std::size_t>(h);
  }
};

// The keyed token of `value` in `domain`. Precondition: field_key.size() ==
// crypto::kKeyBytes (aborts otherwise, as crypto::Token does).
Token128 MakeToken(const crypto::SecretBytes& field_key, std::string_view domain,
                   std::string_view value);

}  // namespace kinlink::match

template <>
struct std::hash<kinlink::match::Token128> : kinlink::match::Token128Hash {};

#endif  // KINLINK_MATCH_TOKENS_H_
