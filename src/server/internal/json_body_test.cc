#include "server/internal/json_body.h"

#include <gtest/gtest.h>

#include <string>

namespace kinlink::server::internal {
namespace {

TEST(JsonBodyTest, DepthCountsBracketsOutsideStrings) {
  EXPECT_EQ(JsonDepth("{}", 8), 1);
  EXPECT_EQ(JsonDepth(R"({"a":[{"b":1}]})", 8), 3);
  EXPECT_EQ(JsonDepth(R"({"a":"[[[[{{{{"})", 8), 1);
  EXPECT_EQ(JsonDepth(R"({"a":"\"[[["})", 8), 1);
  EXPECT_EQ(JsonDepth("", 8), 0);
}

TEST(JsonBodyTest, DepthStopsEarlyOnDeepInput) {
  const std::string deep(1'000'000, '[');
  EXPECT_EQ(JsonDepth(deep, 8), 9);
}

TEST(JsonBodyTest, ParsesAnObjectAndAnEmptyBody) {
  Result<Json> j = ParseJsonObject(R"({"user":"ana","n":3})", 8);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["user"], "ana");
  Result<Json> empty = ParseJsonObject("  \n", 8);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->is_object());
  EXPECT_TRUE(empty->empty());
}

TEST(JsonBodyTest, RefusesWhatIsNotOneShallowObject) {
  for (const char* bad :
       {"[1,2]", "\"text\"", "42", "{", "{\"a\":1} x", "{\"a\":01}", "{\"a\":\"\xff\"}", "nul"}) {
    Result<Json> j = ParseJsonObject(bad, 8);
    ASSERT_FALSE(j.ok()) << bad;
    EXPECT_EQ(j.status().code(), StatusCode::kInvalidArgument);
  }
  std::string deep = "{\"a\":";
  for (int i = 0; i < 9; ++i) deep += "[";
  for (int i = 0; i < 9; ++i) deep += "]";
  deep += "}";
  Result<Json> j = ParseJsonObject(deep, 8);
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("kMaxJsonDepth"), std::string::npos);
}

TEST(JsonBodyTest, ErrorsNeverQuoteValues) {
  Result<Json> j = ParseJsonObject(R"({"secret":"Canary Name","x":{}})", 8);
  ASSERT_TRUE(j.ok());
  Result<std::optional<std::string>> s = GetString(*j, "x", true, 100);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message().find("Canary"), std::string::npos);
  Status members = CheckMembers(*j, {"x"});
  ASSERT_FALSE(members.ok());
  EXPECT_EQ(members.message().find("Canary"), std::string::npos);
}

TEST(JsonBodyTest, TypedGetters) {
  Result<Json> j =
      ParseJsonObject(R"({"s":"abc","b":true,"i":7,"big":18446744073709551615,"f":1.5})", 8);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(**GetString(*j, "s", true, 3), "abc");
  EXPECT_FALSE(GetString(*j, "s", true, 2).ok());
  EXPECT_FALSE(GetString(*j, "missing", true, 2).ok());
  EXPECT_FALSE(GetString(*j, "missing", false, 2)->has_value());
  EXPECT_TRUE(**GetBool(*j, "b", true));
  EXPECT_FALSE(GetBool(*j, "s", true).ok());
  EXPECT_EQ(**GetInt(*j, "i", true, 1, 10), 7);
  EXPECT_FALSE(GetInt(*j, "i", true, 8, 10).ok());
  EXPECT_FALSE(GetInt(*j, "big", true, 0, 1000).ok());
  EXPECT_FALSE(GetInt(*j, "f", true, 0, 1000).ok());
}

TEST(JsonBodyTest, DumpReplacesInvalidUtf8) {
  Json j = Json{{"v", std::string("a\xff")}};
  EXPECT_NO_THROW(Dump(j));
}

}  // namespace
}  // namespace kinlink::server::internal
