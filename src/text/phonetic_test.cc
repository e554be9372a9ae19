#include "text/phonetic.h"

#include <gtest/gtest.h>

#include <string>

namespace kinlink::text {
namespace {

TEST(DoubleMetaphoneTest, KnownCodes) {
  struct Case {
    std::string in;
    std::string primary;
    std::string alternate;
  };
  const Case cases[] = {
      {"", "", ""},
      {"smith", "SM0", "XMT"},
      {"schmidt", "XMT", "SMT"},
      {"thomas", "TMS", "TMS"},
      {"thompson", "TMPS", "TMPS"},
      {"jose", "HS", "HS"},
      {"xavier", "SF", "SFR"},
      {"knight", "NT", "NT"},
      {"michael", "MKL", "MXL"},
      {"czerny", "SRN", "XRN"},
      {"gallegos", "KLKS", "KKS"},
      {"mohamed", "MHMT", "MHMT"},
  };
  for (const Case& c : cases) {
    const MetaphoneCodes got = DoubleMetaphone(c.in);
    EXPECT_EQ(got.primary, c.primary) << c.in;
    EXPECT_EQ(got.alternate, c.alternate) << c.in;
  }
}

TEST(DoubleMetaphoneTest, SharedCodes) {
  EXPECT_TRUE(PhoneticMatch(DoubleMetaphone("smith"), DoubleMetaphone("schmidt")));
  EXPECT_TRUE(PhoneticMatch(DoubleMetaphone("catherine"), DoubleMetaphone("kathryn")));
  EXPECT_TRUE(PhoneticMatch(DoubleMetaphone("mohamed"), DoubleMetaphone("muhammad")));
  EXPECT_FALSE(PhoneticMatch(DoubleMetaphone("smith"), DoubleMetaphone("jones")));
  EXPECT_FALSE(PhoneticMatch(DoubleMetaphone(""), DoubleMetaphone("")));
}

TEST(DoubleMetaphoneTest, MaxLengthAndCaseAndJunk) {
  EXPECT_EQ(DoubleMetaphone("alexandrovich", 8).primary.size(), 8u);
  EXPECT_EQ(DoubleMetaphone("alexandrovich").primary.size(), 4u);
  EXPECT_EQ(DoubleMetaphone("SMITH"), DoubleMetaphone("smith"));
  EXPECT_EQ(DoubleMetaphone("sm\xFFith 2"), DoubleMetaphone("smith"));
}

}  // namespace
}  // namespace kinlink::text
