#include "auth/lockout.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <limits>

namespace kinlink::auth {
namespace {

TEST(LockoutTest, DefaultPolicyBoundaries) {
  struct Case {
    int failures;
    std::int64_t delay;
  };
  const Case cases[] = {
      {-1, 0},    {0, 0},     {1, 0},     {4, 0},      {5, 30},
      {6, 60},    {7, 120},   {8, 240},   {9, 480},    {10, 960},
      {11, 1920}, {12, 3600}, {13, 3600}, {100, 3600}, {INT_MAX, 3600},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.failures);
    EXPECT_EQ(LockoutDelaySeconds(c.failures), c.delay);
    EXPECT_EQ(LockedUntil(c.failures, 1'700'000'000), 1'700'000'000 + c.delay);
  }
}

TEST(LockoutTest, NotLockedBelowThresholdLockedAtIt) {
  const std::int64_t t = 1'700'000'000;
  // Locked while now < LockedUntil.
  EXPECT_FALSE(t < LockedUntil(4, t));
  EXPECT_TRUE(t < LockedUntil(5, t));
  EXPECT_TRUE(t + 29 < LockedUntil(5, t));
  EXPECT_FALSE(t + 30 < LockedUntil(5, t));
}

TEST(LockoutTest, CustomPolicy) {
  const LockoutPolicy policy{3, 10, 100};
  EXPECT_EQ(LockoutDelaySeconds(2, policy), 0);
  EXPECT_EQ(LockoutDelaySeconds(3, policy), 10);
  EXPECT_EQ(LockoutDelaySeconds(4, policy), 20);
  EXPECT_EQ(LockoutDelaySeconds(5, policy), 40);
  EXPECT_EQ(LockoutDelaySeconds(6, policy), 80);
  EXPECT_EQ(LockoutDelaySeconds(7, policy), 100);
  EXPECT_EQ(LockoutDelaySeconds(8, policy), 100);
}

TEST(LockoutTest, OutOfRangePolicyFieldsAreClamped) {
  EXPECT_EQ(LockoutDelaySeconds(1, LockoutPolicy{0, 30, 3600}), 30);
  EXPECT_EQ(LockoutDelaySeconds(1, LockoutPolicy{-7, 30, 3600}), 30);
  EXPECT_EQ(LockoutDelaySeconds(0, LockoutPolicy{0, 30, 3600}), 0);
  EXPECT_EQ(LockoutDelaySeconds(9, LockoutPolicy{5, 0, 3600}), 0);
  EXPECT_EQ(LockoutDelaySeconds(9, LockoutPolicy{5, -30, 3600}), 0);
  EXPECT_EQ(LockoutDelaySeconds(5, LockoutPolicy{5, 7200, 3600}), 3600);
  EXPECT_EQ(LockoutDelaySeconds(9, LockoutPolicy{5, 30, -1}), 0);
  const std::int64_t huge = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(LockoutDelaySeconds(INT_MAX, LockoutPolicy{1, 1, huge}), huge);
  EXPECT_EQ(LockoutDelaySeconds(63, LockoutPolicy{1, 1, huge}), std::int64_t{1} << 62);
}

TEST(LockoutTest, LockedUntilSaturates) {
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(LockedUntil(5, max - 10), max);
  EXPECT_EQ(LockedUntil(5, max - 30), max);
  EXPECT_EQ(LockedUntil(5, max - 31), max - 1);
  EXPECT_EQ(LockedUntil(4, max), max);
}

}  // namespace
}  // namespace kinlink::auth
