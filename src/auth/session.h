// auth/session: session ids and CSRF tokens.
//
// A session id is 256 random bits, sent to the browser as 43 characters of
// unpadded base64url (in a `Secure; HttpOnly; SameSite=Strict` cookie). The
// database stores only SessionIdHash(id), a BLAKE2b MAC keyed with the
// server's session key (crypto::Purpose::kSessionMac): a thief of the
// database or a backup gets no usable session, and cannot even test a
// guessed id without the key.
//
// Ids and tokens are credentials: never log them, never put them in an
// error message (no function here does).
//
// Thread-safety: every function is thread-safe.
//
//   std::string id = auth::NewSessionId();            // to the cookie
//   KL_ASSIGN_OR_RETURN(std::string key, auth::SessionIdHash(session_key, id));
//   ... store `key` with the account and expiry ...
//   // On a request:
//   KL_ASSIGN_OR_RETURN(std::string key, auth::SessionIdHash(session_key, cookie));
//   ... look up `key` ...
//   if (!auth::TokensEqual(session.csrf_token, header_token)) return PermissionDeniedError(...);
#ifndef KINLINK_AUTH_SESSION_H_
#define KINLINK_AUTH_SESSION_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/crypto.h"

namespace kinlink::auth {

// Random bytes in a session id or CSRF token (256 bits).
inline constexpr std::size_t kSessionIdBytes = 32;
// Characters of its unpadded base64url text: the exact length of every
// well-formed id or token, and so the limit on what is read from a cookie.
inline constexpr std::size_t kSessionIdChars = 43;
// Bytes of SessionIdHash's result (BLAKE2b-256).
inline constexpr std::size_t kSessionIdHashBytes = 32;

// A new session id: kSessionIdBytes from libsodium's randombytes_buf as
// kSessionIdChars characters of base64url (A-Z a-z 0-9 - _), no padding.
// Aborts if libsodium cannot start (like operator new).
std::string NewSessionId();

// A new CSRF token, of the same form as a session id (and independent of it).
std::string NewCsrfToken();

// True when `text` has the exact shape NewSessionId/NewCsrfToken produce:
// kSessionIdChars characters of the base64url alphabet, decoding to
// kSessionIdBytes bytes with no stray bits. The length is checked first, so
// oversized input costs nothing.
bool IsWellFormedSessionId(std::string_view text);

// What the database stores for a session id: BLAKE2b-256 keyed with
// `session_key`, over a domain label and the id (kSessionIdHashBytes raw
// bytes; crypto::ToHex for text). UNAUTHENTICATED ("malformed session id")
// when `id` is not well formed, so that a server answers a forged cookie
// as it answers an unknown one; the id is checked before it is hashed.
// Precondition: session_key.size() == crypto::kKeyBytes (aborts otherwise:
// a programming error, as in crypto).
Result<std::string> SessionIdHash(const crypto::SecretBytes& session_key, std::string_view id);

// Constant-time equality of two tokens (sodium_memcmp). False when the
// lengths differ (lengths are not secret) and when either is empty, so that
// a missing token never equals a missing expectation.
bool TokensEqual(std::string_view a, std::string_view b);

}  // namespace kinlink::auth

#endif  // KINLINK_AUTH_SESSION_H_
