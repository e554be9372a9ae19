#include "linkage/encoded_io.h"

#include <gtest/gtest.h>

#include "linkage/compare.h"
#include "synth/synth.h"

namespace kinlink::linkage {
namespace {

TEST(EncodedIoTest, RoundTripKeepsEveryComparison) {
  ASSERT_TRUE(crypto::Initialize().ok());
  crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  ExtractorOptions options;
  options.key = &key;
  options.today_days = 20500;
  auto extractor = FeatureExtractor::Create(options);
  ASSERT_TRUE(extractor.ok()) << extractor.status().ToString();
  synth::Generator gen({.seed = 3});
  std::vector<Features> original;
  std::vector<Features> parsed;
  for (int i = 0; i < 200; ++i) {
    Features f;
    BlockingKeyRow keys{};
    (*extractor)->Extract(gen.Next(), &f, &keys);
    std::string blob = SerializeEncoded(f);
    Result<Features> back = ParseEncoded(blob);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(SerializeEncoded(*back), blob);
    EXPECT_EQ(back->given.bloom, f.given.bloom);
    EXPECT_EQ(back->sex, f.sex);
    original.push_back(std::move(f));
    parsed.push_back(std::move(back).value());
  }
  CompareThresholds t;
  for (std::size_t i = 0; i + 1 < original.size(); ++i) {
    LevelRow a{};
    LevelRow b{};
    Compare(original[i], original[i + 1], Mode::kEncoded, t, &a);
    Compare(parsed[i], parsed[i + 1], Mode::kEncoded, t, &b);
    EXPECT_EQ(a, b) << i;
  }
}

TEST(EncodedIoTest, RejectsDamagedBlobs) {
  Features f;
  f.given.present = true;
  f.given.exact = score::Key128{1, 2};
  std::string blob = SerializeEncoded(f);
  EXPECT_TRUE(ParseEncoded(blob).ok());
  EXPECT_EQ(ParseEncoded("").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ParseEncoded(blob.substr(0, blob.size() - 1)).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(ParseEncoded(blob + "x").status().code(), StatusCode::kDataLoss);
  std::string bad_version = blob;
  bad_version[0] = 9;
  EXPECT_EQ(ParseEncoded(bad_version).status().code(), StatusCode::kDataLoss);
  std::string bad_flag = blob;
  bad_flag[1] = 7;  // the given name's presence flag
  EXPECT_EQ(ParseEncoded(bad_flag).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace kinlink::linkage
