#include "auth/session.h"

#include <sodium.h>

#include <cstdlib>

#include "auth/internal/sodium.h"

namespace kinlink::auth {

namespace {

constexpr int kBase64Variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
// Domain label hashed before the id: the session key may MAC other things
// later (e.g. signed cookies), and those must never collide with an id hash.
constexpr std::string_view kSessionIdDomain = "kinlink session id v1";

static_assert(sodium_base64_ENCODED_LEN(kSessionIdBytes, kBase64Variant) == kSessionIdChars + 1);
static_assert(kSessionIdHashBytes >= crypto_generichash_BYTES_MIN &&
              kSessionIdHashBytes <= crypto_generichash_BYTES_MAX);

std::string RandomToken() {
  internal::RequireSodium();
  unsigned char bytes[kSessionIdBytes];
  randombytes_buf(bytes, sizeof bytes);
  char text[kSessionIdChars + 1];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes, kBase64Variant);
  sodium_memzero(bytes, sizeof bytes);
  std::string out(text, kSessionIdChars);
  sodium_memzero(text, sizeof text);
  return out;
}

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string NewSessionId() { return RandomToken(); }

std::string NewCsrfToken() { return RandomToken(); }

bool IsWellFormedSessionId(std::string_view text) {
  if (text.size() != kSessionIdChars) return false;
  for (char c : text) {
    if (!IsBase64UrlChar(c)) return false;
  }
  // 43 characters carry 258 bits; libsodium rejects text whose 2 unused
  // bits are not zero, so each id has exactly one accepted spelling.
  unsigned char bytes[kSessionIdBytes];
  std::size_t decoded = 0;
  const int rc = sodium_base642bin(bytes, sizeof bytes, text.data(), text.size(), nullptr, &decoded,
                                   nullptr, kBase64Variant);
  sodium_memzero(bytes, sizeof bytes);
  return rc == 0 && decoded == kSessionIdBytes;
}

Result<std::string> SessionIdHash(const crypto::SecretBytes& session_key, std::string_view id) {
  if (session_key.size() != crypto::kKeyBytes) std::abort();
  if (!IsWellFormedSessionId(id)) return UnauthenticatedError("malformed session id");
  crypto_generichash_state state;
  crypto_generichash_init(&state, session_key.data(), session_key.size(), kSessionIdHashBytes);
  // The label has a fixed length, so label || id is unambiguous.
  crypto_generichash_update(&state, Bytes(kSessionIdDomain), kSessionIdDomain.size());
  crypto_generichash_update(&state, Bytes(id), id.size());
  std::string out(kSessionIdHashBytes, '\0');
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(out.data()), out.size());
  sodium_memzero(&state, sizeof state);
  return out;
}

bool TokensEqual(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty() || a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace kinlink::auth
