#include "auth/lockout.h"

#include <algorithm>
#include <limits>

namespace kinlink::auth {

std::int64_t LockoutDelaySeconds(int consecutive_failures, const LockoutPolicy& policy) {
  const int threshold = std::max(policy.max_failures, 1);
  const std::int64_t cap = std::max<std::int64_t>(policy.max_delay_seconds, 0);
  if (consecutive_failures < threshold) return 0;
  std::int64_t delay = std::min(std::max<std::int64_t>(policy.base_delay_seconds, 0), cap);
  // Double until the cap; the loop stops at the cap (or at 0), so it runs at
  // most 63 times however large the failure count.
  for (int n = threshold; n < consecutive_failures && delay > 0 && delay < cap; ++n) {
    delay = delay > cap / 2 ? cap : delay * 2;
  }
  return delay;
}

std::int64_t LockedUntil(int consecutive_failures, std::int64_t last_failure_time,
                         const LockoutPolicy& policy) {
  const std::int64_t delay = LockoutDelaySeconds(consecutive_failures, policy);
  if (last_failure_time > std::numeric_limits<std::int64_t>::max() - delay) {
    return std::numeric_limits<std::int64_t>::max();
  }
  return last_failure_time + delay;
}

}  // namespace kinlink::auth
