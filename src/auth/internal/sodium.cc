#include "auth/internal/sodium.h"

#include <cstdlib>

#include "crypto/crypto.h"

namespace kinlink::auth::internal {

bool SodiumReady() { return crypto::Initialize().ok(); }

void RequireSodium() {
  if (!SodiumReady()) std::abort();
}

}  // namespace kinlink::auth::internal
