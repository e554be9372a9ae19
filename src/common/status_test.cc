#include "common/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/result.h"

namespace kinlink {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return InvalidArgumentError("not positive");
  return v;
}

Result<int> Doubled(int v) {
  KL_ASSIGN_OR_RETURN(int x, ParsePositive(v));
  return 2 * x;
}

Status CheckBoth(int a, int b) {
  KL_RETURN_IF_ERROR(ParsePositive(a).status());
  KL_RETURN_IF_ERROR(ParsePositive(b).status().WithContext("second"));
  return OkStatus();
}

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = NotFoundError("no record KL-7");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NOT_FOUND: no record KL-7");
}

TEST(StatusTest, WithContextPrefixesMessageAndKeepsCode) {
  Status s = InvalidArgumentError("bad date").WithContext("line 3");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "line 3: bad date");
  EXPECT_TRUE(OkStatus().WithContext("x").ok());
}

TEST(ResultTest, PropagatesValueAndError) {
  Result<int> good = Doubled(4);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 8);
  Result<int> bad = Doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(ResultTest, ReturnIfErrorStopsAtFirstFailure) {
  EXPECT_TRUE(CheckBoth(1, 2).ok());
  EXPECT_EQ(CheckBoth(0, 2).message(), "not positive");
  EXPECT_EQ(CheckBoth(1, 0).message(), "second: not positive");
}

TEST(ResultTest, OkStatusBecomesInternalError) {
  Result<int> r{OkStatus()};
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<std::string>> r = std::make_unique<std::string>("x");
  ASSERT_TRUE(r.ok());
  std::unique_ptr<std::string> p = std::move(r).value();
  EXPECT_EQ(*p, "x");
}

}  // namespace
}  // namespace kinlink
