// Keyed tokens. See tokens.h.
#include "match/tokens.h"

namespace kinlink::match {

Result<Token128> Token128::FromBytes(std::string_view raw) {
  Token128 t;
  if (raw.size() != t.bytes.size()) {
    return InvalidArgumentError("token must be 16 bytes, got " + std::to_string(raw.size()));
  }
  std::memcpy(t.bytes.data(), raw.data(), raw.size());
  return t;
}

Token128 MakeToken(const crypto::SecretBytes& field_key, std::string_view domain,
                   std::string_view value) {
  static_assert(crypto::kTokenBytes == 16);
  const std::string raw = crypto::Token(field_key, domain, value);
  Token128 t;
  std::memcpy(t.bytes.data(), raw.data(), t.bytes.size());
  return t;
}

}  // namespace kinlink::match
