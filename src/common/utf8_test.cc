#include "common/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace kinlink {
namespace {

TEST(Utf8Test, AcceptsManyScripts) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("Mohamed Alhasan"));
  EXPECT_TRUE(IsValidUtf8("محمد الحسن"));
  EXPECT_TRUE(IsValidUtf8("Олександр Коваленко"));
  EXPECT_TRUE(IsValidUtf8("ኃይለ ማርያም"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));  // U+1F600
}

TEST(Utf8Test, FindsFirstInvalidByte) {
  EXPECT_EQ(FindInvalidUtf8("abc\xFF"), 3u);
  EXPECT_EQ(FindInvalidUtf8("abcdefghij\x80"), 10u);
  EXPECT_EQ(FindInvalidUtf8("\xC3"), 0u);               // truncated
  EXPECT_EQ(FindInvalidUtf8("x\xC0\xAF"), 1u);          // overlong '/'
  EXPECT_EQ(FindInvalidUtf8("\xE0\x80\xAF"), 0u);       // overlong
  EXPECT_EQ(FindInvalidUtf8("\xED\xA0\x80"), 0u);       // surrogate
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80"), 0u);   // > U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("\xE2\x82"), 0u);           // truncated
  EXPECT_EQ(FindInvalidUtf8(std::string("ok\xE2\x82" "x")), 2u);
}

}  // namespace
}  // namespace kinlink
