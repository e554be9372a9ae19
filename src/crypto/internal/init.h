// Private to src/crypto: lazy, thread-safe libsodium start-up.
#ifndef KINLINK_CRYPTO_INTERNAL_INIT_H_
#define KINLINK_CRYPTO_INTERNAL_INIT_H_

namespace kinlink::crypto::internal {

// Calls sodium_init() once per process. sodium_malloc and randombytes need
// it, and a SecretBytes may be built before anyone called Initialize()
// (e.g. a static in a test), so every such entry point calls this. Returns
// false if libsodium cannot start.
bool SodiumReady();

// As SodiumReady(), but aborts when libsodium cannot start: used where the
// contract has no error path (like operator new failing).
void RequireSodium();

}  // namespace kinlink::crypto::internal

#endif  // KINLINK_CRYPTO_INTERNAL_INIT_H_
