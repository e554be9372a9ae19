#include "common/decimal.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdio>
#include <random>
#include <string>

namespace kinlink {
namespace {

// printf is the reference.
std::string Printf(int v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*d", width, v);
  return buf;
}

TEST(DecimalTest, ZeroPaddedIsWhatPrintfWrites) {
  std::string got;
  for (int width : {0, 1, 2, 4, 8, 12}) {
    for (int v : {0, 1, 9, 10, 99, 100, 999, 1000, 2024, 99999, -1, -9, -10, -999, -1000,
                  INT_MAX, INT_MIN, INT_MIN + 1}) {
      got.clear();
      AppendZeroPadded(got, v, width);
      EXPECT_EQ(got, Printf(v, width)) << v << " width " << width;
    }
  }
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> any(INT_MIN, INT_MAX), width(0, 12);
  for (int i = 0; i < 10000; ++i) {
    const int v = any(rng) >> (i % 31), w = width(rng);
    got = "x";  // appends after what is there
    AppendZeroPadded(got, v, w);
    ASSERT_EQ(got, "x" + Printf(v, w)) << v << " width " << w;
  }
}

}  // namespace
}  // namespace kinlink
