#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "score/score.h"

namespace kinlink::score {
namespace {

ComparisonSpec TwoFieldSpec() {
  ComparisonSpec spec;
  spec.fields.push_back(FieldSpec::Make("given_name", 4, /*tf_adjustable=*/true));
  spec.fields.back().level_labels = {"exact", "similar", "different", "missing"};
  spec.fields.push_back(FieldSpec::Make("birth_year", 3));
  return spec;
}

FellegiSunterModel MakeModel() {
  auto model = FellegiSunterModel::Create(TwoFieldSpec(), 0.01);
  EXPECT_TRUE(model.ok());
  FellegiSunterModel m = std::move(model).value();
  EXPECT_TRUE(m.SetM(0, std::vector<double>{0.8, 0.15, 0.05, 0}).ok());
  EXPECT_TRUE(m.SetU(0, std::vector<double>{0.02, 0.08, 0.9, 0}).ok());
  EXPECT_TRUE(m.SetM(1, std::vector<double>{0.9, 0.1, 0}).ok());
  EXPECT_TRUE(m.SetU(1, std::vector<double>{0.05, 0.95, 0}).ok());
  return m;
}

TEST(ComparisonSpecTest, ValidatesFields) {
  EXPECT_TRUE(TwoFieldSpec().Validate().ok());
  EXPECT_FALSE(ComparisonSpec{}.Validate().ok());
  ComparisonSpec dup = TwoFieldSpec();
  dup.fields[1].name = "given_name";
  EXPECT_EQ(dup.Validate().code(), StatusCode::kInvalidArgument);
  ComparisonSpec few = TwoFieldSpec();
  few.fields[1].num_levels = 2;
  EXPECT_FALSE(few.Validate().ok());
  ComparisonSpec labels = TwoFieldSpec();
  labels.fields[0].level_labels.pop_back();
  EXPECT_FALSE(labels.Validate().ok());
  ComparisonSpec miss = TwoFieldSpec();
  miss.fields[1].missing_level = 3;
  EXPECT_FALSE(miss.Validate().ok());
}

TEST(ComparisonMatrixTest, StoresRowsAndRejectsOutOfRangeLevels) {
  ComparisonMatrix m(2);
  m.Append({0, 1});
  m.Append({3, 2});
  ASSERT_EQ(m.num_pairs(), 2u);
  EXPECT_EQ(m.Row(1)[0], 3);
  EXPECT_EQ(m.data().size(), 4u);
  EXPECT_TRUE(m.Validate(TwoFieldSpec()).ok());
  m.Append({0, 3});  // birth_year has 3 levels
  const Status s = m.Validate(TwoFieldSpec());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("birth_year"), std::string::npos);
  EXPECT_FALSE(ComparisonMatrix(3).Validate(TwoFieldSpec()).ok());
}

TEST(ModelTest, DefaultsSkewMToAgreementAndUToDisagreement) {
  auto model = FellegiSunterModel::Create(TwoFieldSpec());
  ASSERT_TRUE(model.ok());
  EXPECT_GT(model->m(0, 0), model->m(0, 1));
  EXPECT_GT(model->m(0, 1), model->m(0, 2));
  EXPECT_GT(model->u(0, 2), model->u(0, 0));
  EXPECT_GT(model->LevelWeight(0, 0), 0);
  EXPECT_LT(model->LevelWeight(0, 2), 0);
  EXPECT_EQ(model->LevelWeight(0, 3), 0);
  EXPECT_FALSE(FellegiSunterModel::Create(TwoFieldSpec(), 0.0).ok());
  EXPECT_FALSE(FellegiSunterModel::Create(TwoFieldSpec(), 1.0).ok());
}

TEST(ModelTest, WeightFollowsFellegiSunter) {
  const FellegiSunterModel m = MakeModel();
  const std::vector<std::uint8_t> v = {0, 1};
  const double expected = std::log2(0.01 / 0.99) + std::log2(0.8 / 0.02) + std::log2(0.1 / 0.95);
  EXPECT_NEAR(m.Weight(v), expected, 1e-9);
  EXPECT_NEAR(m.Probability(v), std::exp2(expected) / (1 + std::exp2(expected)), 1e-12);
  // Missing contributes nothing.
  const std::vector<std::uint8_t> missing = {3, 2};
  EXPECT_NEAR(m.Weight(missing), m.PriorWeight(), 1e-12);
}

// Fields of one group count their strongest agreement once; every
// disagreement still counts; the explanation says which agreement was set
// aside; the group survives a JSON round trip.
TEST(ModelTest, GroupedFieldsCountTheirStrongestAgreementOnce) {
  ComparisonSpec spec;
  spec.fields.push_back(FieldSpec::Make("given_name", 3));
  FieldSpec birth_place = FieldSpec::Make("birth_place", 3);
  birth_place.group = 1;
  FieldSpec locality = FieldSpec::Make("locality", 3);
  locality.group = 1;
  spec.fields.push_back(birth_place);
  spec.fields.push_back(locality);
  auto model = FellegiSunterModel::Create(spec, 0.01);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  FellegiSunterModel m = std::move(*model);
  ASSERT_TRUE(m.SetM(1, std::vector<double>{0.9, 0.1, 0}).ok());
  ASSERT_TRUE(m.SetU(1, std::vector<double>{0.01, 0.99, 0}).ok());
  ASSERT_TRUE(m.SetM(2, std::vector<double>{0.8, 0.2, 0}).ok());
  ASSERT_TRUE(m.SetU(2, std::vector<double>{0.1, 0.9, 0}).ok());
  const double given = m.LevelWeight(0, 0);
  const double bp_agree = m.LevelWeight(1, 0);
  const double loc_agree = m.LevelWeight(2, 0);
  const double loc_differ = m.LevelWeight(2, 1);
  ASSERT_GT(bp_agree, loc_agree);
  ASSERT_GT(loc_agree, 0);
  ASSERT_LT(loc_differ, 0);

  const std::vector<std::uint8_t> both = {0, 0, 0};
  EXPECT_NEAR(m.Weight(both), m.PriorWeight() + given + bp_agree, 1e-9);
  const std::vector<std::uint8_t> one = {0, 1, 0};  // birth place differs
  EXPECT_NEAR(m.Weight(one), m.PriorWeight() + given + m.LevelWeight(1, 1) + loc_agree, 1e-9);
  const std::vector<std::uint8_t> none = {0, 1, 1};
  EXPECT_NEAR(m.Weight(none), m.PriorWeight() + given + m.LevelWeight(1, 1) + loc_differ, 1e-9);

  Explanation e = m.Explain(both);
  EXPECT_FALSE(e.fields[1].grouped);
  EXPECT_TRUE(e.fields[2].grouped);
  EXPECT_EQ(e.fields[2].weight, 0);
  EXPECT_NEAR(e.total_weight, m.Weight(both), 1e-9);

  Result<FellegiSunterModel> back = FellegiSunterModel::FromJson(m.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->spec().fields[2].group, 1);
  EXPECT_NEAR(back->Weight(both), m.Weight(both), 1e-9);

  spec.fields[2].group = kMaxGroups;
  EXPECT_EQ(spec.Validate().code(), StatusCode::kInvalidArgument);
}

TEST(ModelTest, SetParamsRejectsBadInputAndFloorsZeros) {
  FellegiSunterModel m = MakeModel();
  EXPECT_FALSE(m.SetM(0, std::vector<double>{1, 0}).ok());
  EXPECT_FALSE(m.SetM(5, std::vector<double>{1, 0, 0}).ok());
  EXPECT_FALSE(m.SetM(1, std::vector<double>{-1, 2, 0}).ok());
  EXPECT_FALSE(m.SetM(1, std::vector<double>{0, 0, 5}).ok());  // only missing
  ASSERT_TRUE(m.SetU(1, std::vector<double>{1, 0, 0}).ok());
  EXPECT_GT(m.u(1, 1), 0);
  EXPECT_TRUE(std::isfinite(m.LevelWeight(1, 1)));
  EXPECT_NEAR(m.u(1, 0) + m.u(1, 1), 1.0, 1e-12);
}

TEST(ModelTest, WeightToProbabilityIsStableAtExtremes) {
  EXPECT_NEAR(WeightToProbability(0), 0.5, 1e-15);
  EXPECT_NEAR(WeightToProbability(2000), 1.0, 1e-15);
  EXPECT_NEAR(WeightToProbability(-2000), 0.0, 1e-15);
  EXPECT_NEAR(ProbabilityToWeight(WeightToProbability(3.5)), 3.5, 1e-9);
}

TEST(TermFrequencyTest, RareValuesGainCommonValuesLose) {
  const FellegiSunterModel m = MakeModel();
  const std::vector<std::uint8_t> v = {0, 0};
  const double base = m.Weight(v);
  // u(given_name, exact) = 0.02: a value rarer than that gains, a more
  // common one loses, and the change is log2(u / φ).
  const std::vector<double> rare = {0.001, 0};
  const std::vector<double> common = {0.2, 0};
  EXPECT_NEAR(m.Weight(v, rare) - base, std::log2(0.02 / 0.001), 1e-9);
  EXPECT_LT(m.Weight(v, common), base);
  // Not applied on other levels, on non-tf fields or without a frequency.
  const std::vector<std::uint8_t> similar = {1, 0};
  EXPECT_EQ(m.Weight(similar, rare), m.Weight(similar));
  const std::vector<double> on_year = {0, 0.5};
  EXPECT_EQ(m.Weight(v, on_year), base);
}

TEST(TermFrequencyTest, TableUsesTheMoreFrequentValue) {
  TermFrequencyTable tf;
  const Key128 mohammed = Key128::FromU64(11);
  const Key128 rare = Key128{7, 9};
  tf.Add(mohammed, 98);
  tf.Add(rare, 2);
  tf.Add(Key128{}, 1000);  // empty: ignored
  EXPECT_EQ(tf.total(), 100u);
  EXPECT_EQ(tf.size(), 2u);
  EXPECT_DOUBLE_EQ(tf.Frequency(mohammed), 0.98);
  EXPECT_DOUBLE_EQ(tf.Frequency(Key128::FromU64(12)), 0.0);
  EXPECT_DOUBLE_EQ(tf.PairFrequency(rare, mohammed), 0.98);
  EXPECT_DOUBLE_EQ(tf.PairFrequency(rare, rare), 0.02);
}

TEST(ExplainTest, ContributionsSumToTotal) {
  const FellegiSunterModel m = MakeModel();
  const std::vector<std::uint8_t> v = {0, 2};
  const std::vector<double> tf = {0.004, 0};
  const Explanation e = m.Explain(v, tf);
  ASSERT_EQ(e.fields.size(), 2u);
  double sum = e.prior_weight;
  for (const auto& f : e.fields) sum += f.weight;
  EXPECT_NEAR(sum, e.total_weight, 1e-12);
  EXPECT_NEAR(e.total_weight, m.Weight(v, tf), 1e-12);
  EXPECT_NEAR(e.probability, m.Probability(v, tf), 1e-12);
  EXPECT_EQ(e.fields[0].field, "given_name");
  EXPECT_EQ(e.fields[0].level_label, "exact");
  EXPECT_NEAR(e.fields[0].tf_adjustment, std::log2(0.02 / 0.004), 1e-9);
  EXPECT_EQ(e.fields[1].level_label, "missing");
  EXPECT_TRUE(e.fields[1].missing);
  EXPECT_EQ(e.fields[1].weight, 0.0);
}

TEST(ModelJsonTest, RoundTripKeepsEverything) {
  const FellegiSunterModel m = MakeModel();
  auto back = FellegiSunterModel::FromJson(m.ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_NEAR(back->lambda(), m.lambda(), 1e-15);
  ASSERT_EQ(back->num_fields(), 2u);
  EXPECT_EQ(back->spec().fields[0].name, "given_name");
  EXPECT_TRUE(back->spec().fields[0].tf_adjustable);
  EXPECT_EQ(back->spec().fields[0].level_labels, m.spec().fields[0].level_labels);
  EXPECT_EQ(back->spec().fields[1].missing(), 2);
  for (std::size_t f = 0; f < 2; ++f) {
    for (int l = 0; l < m.spec().fields[f].num_levels; ++l) {
      EXPECT_NEAR(back->m(f, l), m.m(f, l), 1e-12);
      EXPECT_NEAR(back->u(f, l), m.u(f, l), 1e-12);
    }
  }
}

TEST(ModelJsonTest, RejectsBadJson) {
  EXPECT_EQ(FellegiSunterModel::FromJson("{").status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(FellegiSunterModel::FromJson("[]").ok());
  EXPECT_FALSE(FellegiSunterModel::FromJson(R"({"version": 99, "lambda": 0.1, "fields": []})").ok());
  std::string json = MakeModel().ToJson();
  const auto pos = json.find("\"lambda\"");
  ASSERT_NE(pos, std::string::npos);
  json.replace(pos, 8, "\"lambdaX\"");
  EXPECT_FALSE(FellegiSunterModel::FromJson(json).ok());
  std::string bad_m = R"({"version": 1, "lambda": 0.1, "fields": [{"name": "a", "num_levels": 3,
    "missing_level": 2, "tf_adjustable": false, "level_labels": [], "m": [0.5], "u": [0.5, 0.5, 0]}]})";
  EXPECT_FALSE(FellegiSunterModel::FromJson(bad_m).ok());
}

}  // namespace
}  // namespace kinlink::score
