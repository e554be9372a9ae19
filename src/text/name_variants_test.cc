#include "text/name_variants.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace kinlink::text {
namespace {

constexpr char kTable[] =
    "# comment\n"
    "robert\t10,20\n"
    "rob\t10\n"
    "robin\t20,30\n"
    "\n"
    "bob\t10\r\n"
    "lone\t40\n";

TEST(NameVariantsTest, ParseAndQuery) {
  auto nv = NameVariants::Parse(kTable);
  ASSERT_TRUE(nv.ok()) << nv.status().ToString();
  EXPECT_EQ(nv->name_count(), 5u);
  EXPECT_TRUE(nv->AreVariants("rob", "robert"));
  EXPECT_TRUE(nv->AreVariants("Robin", "ROBERT"));
  EXPECT_TRUE(nv->AreVariants("bob", "rob"));
  EXPECT_FALSE(nv->AreVariants("robin", "rob"));  // not transitive
  EXPECT_FALSE(nv->AreVariants("lone", "rob"));
  EXPECT_FALSE(nv->AreVariants("unknown", "unknown"));
  EXPECT_TRUE(nv->AreVariants("lone", "lone"));
  auto g = nv->GroupsOf("robin");
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0], 20u);
  EXPECT_EQ(g[1], 30u);
  EXPECT_TRUE(nv->GroupsOf("nobody").empty());
  EXPECT_TRUE(nv->GroupsOf("").empty());
}

TEST(NameVariantsTest, EmptyTable) {
  auto nv = NameVariants::Parse("");
  ASSERT_TRUE(nv.ok());
  EXPECT_EQ(nv->name_count(), 0u);
  EXPECT_FALSE(NameVariants().AreVariants("a", "a"));
}

TEST(NameVariantsTest, ParseErrorsNameTheLine) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"ok\t1\nnotab\n", "line 2: missing tab"},
      {"\t1\n", "line 1: empty name"},
      {"# c\nBad\t1\n", "line 2: name is not lowercase a-z"},
      {"jose\xC3\xA9\t1\n", "line 1: name is not lowercase a-z"},
      {"a\t\n", "line 1: no group ids"},
      {"a\t1,x\n", "line 1: bad group id"},
      {"a\t1,\n", "line 1: bad group id"},
      {"a\t99999999999\n", "line 1: bad group id"},
      {"a\t-1\n", "line 1: bad group id"},
      {"a\t2,1\n", "line 1: group ids not strictly increasing"},
      {"a\t1,1\n", "line 1: group ids not strictly increasing"},
      {"a\t1\nb\t2\na\t3\n", "line 3: duplicate name"},
  };
  for (const Case& c : cases) {
    auto nv = NameVariants::Parse(c.text);
    ASSERT_FALSE(nv.ok()) << c.text;
    EXPECT_EQ(nv.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(nv.status().message().find(c.message), std::string::npos)
        << nv.status().message();
  }
}

TEST(NameVariantsTest, LoadFile) {
  const std::string path = ::testing::TempDir() + "/kl_name_variants_test.tsv";
  {
    std::ofstream out(path, std::ios::binary);
    out << kTable;
  }
  auto nv = NameVariants::LoadFile(path);
  ASSERT_TRUE(nv.ok()) << nv.status().ToString();
  EXPECT_TRUE(nv->AreVariants("rob", "bob"));
  std::remove(path.c_str());
  auto missing = NameVariants::LoadFile(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(NameVariantsTest, LoadFileErrorHasPathAndLine) {
  const std::string path = ::testing::TempDir() + "/kl_name_variants_bad.tsv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "a\t1\nb 2\n";
  }
  auto nv = NameVariants::LoadFile(path);
  std::remove(path.c_str());
  ASSERT_FALSE(nv.ok());
  EXPECT_NE(nv.status().message().find(path), std::string::npos);
  EXPECT_NE(nv.status().message().find("line 2"), std::string::npos);
}

TEST(NameVariantsTest, ShippedTableLoads) {
  auto nv = NameVariants::LoadFile(std::string(KINLINK_SOURCE_DIR) +
                                   "/data/name_variants/name_variants.tsv");
  ASSERT_TRUE(nv.ok()) << nv.status().ToString();
  EXPECT_GT(nv->name_count(), 10000u);
  EXPECT_TRUE(nv->AreVariants("mohammed", "muhammad"));
  EXPECT_TRUE(nv->AreVariants("john", "jon"));
}

}  // namespace
}  // namespace kinlink::text
