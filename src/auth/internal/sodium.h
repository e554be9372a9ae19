// Private to src/auth: makes sure libsodium is started before a function
// that needs it (randombytes, crypto_pwhash) runs.
//
// Thread-safety: thread-safe.
#ifndef KINLINK_AUTH_INTERNAL_SODIUM_H_
#define KINLINK_AUTH_INTERNAL_SODIUM_H_

namespace kinlink::auth::internal {

// crypto::Initialize(): false if libsodium cannot start.
bool SodiumReady();

// As SodiumReady(), but aborts when libsodium cannot start: for functions
// whose contract has no error path (like operator new failing).
void RequireSodium();

}  // namespace kinlink::auth::internal

#endif  // KINLINK_AUTH_INTERNAL_SODIUM_H_
