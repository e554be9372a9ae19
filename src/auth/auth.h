// auth: the security primitives of staff authentication, with no HTTP and
// no database: what the server composes into login, second factor,
// sessions and lockout (docs/security.md, "Authentication").
//
//   password.h  Argon2id password hashes (libsodium crypto_pwhash_str) and
//               the password policy.
//   totp.h      RFC 6238 TOTP (HMAC-SHA1 default, HMAC-SHA256), Base32,
//               otpauth:// URIs for enrolment.
//   session.h   256-bit session ids and CSRF tokens; the keyed hash of a
//               session id that the database stores.
//   lockout.h   exponential backoff after repeated failed logins.
//   roles.h     staff roles and which need a second factor.
//
// Thread-safety: every function in the module is thread-safe; the only
// object with state, crypto::SecretBytes, is not synchronised.
//
//   KL_RETURN_IF_ERROR(auth::CheckPasswordPolicy(password));
//   KL_ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(password));
//   crypto::SecretBytes totp_secret = auth::GenerateTotpSecret();
//   std::string session_id = auth::NewSessionId();
#ifndef KINLINK_AUTH_AUTH_H_
#define KINLINK_AUTH_AUTH_H_

#include "auth/lockout.h"
#include "auth/password.h"
#include "auth/roles.h"
#include "auth/session.h"
#include "auth/totp.h"

#endif  // KINLINK_AUTH_AUTH_H_
