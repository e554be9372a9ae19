#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "score/internal/random.h"
#include "score/score.h"

namespace kinlink::score {
namespace {

// A known model to generate from: three fields, the last level missing.
struct Truth {
  ComparisonSpec spec;
  std::vector<std::vector<double>> m;
  std::vector<std::vector<double>> u;
  double lambda;
  double missing_rate;
};

Truth MakeTruth() {
  Truth t;
  t.spec.fields.push_back(FieldSpec::Make("given", 4));
  t.spec.fields.push_back(FieldSpec::Make("family", 3));
  t.spec.fields.push_back(FieldSpec::Make("birth", 4));
  t.m = {{0.75, 0.2, 0.05, 0}, {0.85, 0.15, 0}, {0.6, 0.3, 0.1, 0}};
  t.u = {{0.01, 0.04, 0.95, 0}, {0.05, 0.95, 0}, {0.02, 0.18, 0.8, 0}};
  t.lambda = 0.2;
  t.missing_rate = 0.05;
  return t;
}

std::uint8_t Draw(const std::vector<double>& dist, internal::SplitMix64& rng) {
  double x = rng.Uniform();
  for (std::size_t l = 0; l + 1 < dist.size(); ++l) {
    if (x < dist[l]) return static_cast<std::uint8_t>(l);
    x -= dist[l];
  }
  return static_cast<std::uint8_t>(dist.size() - 2);
}

// Rows drawn from the truth; match_rate overrides λ (0 for random pairs).
ComparisonMatrix Generate(const Truth& t, std::size_t n, double match_rate, std::uint64_t seed,
                          std::vector<std::uint8_t>* labels = nullptr) {
  internal::SplitMix64 rng(seed);
  ComparisonMatrix mat(t.spec.num_fields());
  std::vector<std::uint8_t> row(t.spec.num_fields());
  for (std::size_t i = 0; i < n; ++i) {
    const bool match = rng.Uniform() < match_rate;
    if (labels != nullptr) labels->push_back(match ? 1 : 0);
    for (std::size_t f = 0; f < row.size(); ++f) {
      if (rng.Uniform() < t.missing_rate) {
        row[f] = static_cast<std::uint8_t>(t.spec.fields[f].missing());
      } else {
        row[f] = Draw(match ? t.m[f] : t.u[f], rng);
      }
    }
    mat.Append(row);
  }
  return mat;
}

TEST(EstimateUTest, CountsLevelsWithSmoothing) {
  ComparisonSpec spec;
  spec.fields.push_back(FieldSpec::Make("a", 3));
  auto model = FellegiSunterModel::Create(spec);
  ASSERT_TRUE(model.ok());
  ComparisonMatrix mat(1);
  for (int i = 0; i < 8; ++i) mat.Append({1});
  mat.Append({0});
  mat.Append({2});  // missing: not counted
  auto rep = EstimateU(mat, {.pseudo_count = 1.0}, *model);
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->non_missing[0], 9u);
  EXPECT_NEAR(model->u(0, 0), 2.0 / 11.0, 1e-12);
  EXPECT_NEAR(model->u(0, 1), 9.0 / 11.0, 1e-12);
  // Without smoothing a level never seen is floored, not zero.
  ComparisonMatrix only_disagree(1);
  only_disagree.Append({1});
  ASSERT_TRUE(EstimateU(only_disagree, {.pseudo_count = 0.0}, *model).ok());
  EXPECT_GT(model->u(0, 0), 0.0);
  EXPECT_LE(model->u(0, 0), 2 * kProbabilityFloor);
  EXPECT_FALSE(EstimateU(only_disagree, {.pseudo_count = -1.0}, *model).ok());
}

TEST(EstimateUTest, FieldWithoutDataKeepsItsU) {
  ComparisonSpec spec;
  spec.fields.push_back(FieldSpec::Make("a", 3));
  auto model = FellegiSunterModel::Create(spec);
  ASSERT_TRUE(model.ok());
  const double before = model->u(0, 0);
  ComparisonMatrix mat(1);
  mat.Append({2});
  auto rep = EstimateU(mat, {}, *model);
  ASSERT_TRUE(rep.ok());
  ASSERT_EQ(rep->fields_without_data.size(), 1u);
  EXPECT_EQ(model->u(0, 0), before);
}

TEST(EmTest, RecoversKnownParameters) {
  const Truth t = MakeTruth();
  auto model = FellegiSunterModel::Create(t.spec);
  ASSERT_TRUE(model.ok());
  const ComparisonMatrix randoms = Generate(t, 200'000, 0.0, 1);
  ASSERT_TRUE(EstimateU(randoms, {}, *model).ok());
  const ComparisonMatrix cands = Generate(t, 100'000, t.lambda, 2);
  auto rep = EstimateMByEm(cands, {}, *model);
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_TRUE(rep->converged);
  EXPECT_EQ(rep->pairs_used, 100'000u);
  EXPECT_LT(rep->distinct_vectors, 48u + 1);
  EXPECT_TRUE(rep->repaired_fields.empty());
  EXPECT_NEAR(model->lambda(), t.lambda, 0.01);
  for (std::size_t f = 0; f < t.spec.num_fields(); ++f) {
    for (int l = 0; l + 1 < t.spec.fields[f].num_levels; ++l) {
      EXPECT_NEAR(model->m(f, l), t.m[f][l], 0.02) << "field " << f << " level " << l;
      EXPECT_NEAR(model->u(f, l), t.u[f][l], 0.01) << "field " << f << " level " << l;
    }
  }
}

TEST(EmTest, SamplingCapIsDeterministicAndStillRecovers) {
  const Truth t = MakeTruth();
  const ComparisonMatrix randoms = Generate(t, 100'000, 0.0, 3);
  const ComparisonMatrix cands = Generate(t, 100'000, t.lambda, 4);
  auto run = [&](std::uint64_t seed) {
    auto model = FellegiSunterModel::Create(t.spec);
    EXPECT_TRUE(EstimateU(randoms, {}, *model).ok());
    EmOptions opt;
    opt.max_pairs = 30'000;
    opt.seed = seed;
    auto rep = EstimateMByEm(cands, opt, *model);
    EXPECT_TRUE(rep.ok());
    EXPECT_EQ(rep->pairs_used, 30'000u);
    return std::move(model).value();
  };
  const FellegiSunterModel a = run(7);
  const FellegiSunterModel b = run(7);
  const FellegiSunterModel c = run(8);
  EXPECT_EQ(a.m(0, 0), b.m(0, 0));
  EXPECT_EQ(a.lambda(), b.lambda());
  EXPECT_NE(a.m(0, 0), c.m(0, 0));
  EXPECT_NEAR(a.lambda(), t.lambda, 0.02);
  EXPECT_NEAR(a.m(0, 0), t.m[0][0], 0.03);
}

TEST(EmTest, FixedMLevelsStayFixed) {
  const Truth t = MakeTruth();
  auto model = FellegiSunterModel::Create(t.spec);
  ASSERT_TRUE(EstimateU(Generate(t, 50'000, 0.0, 5), {}, *model).ok());
  ASSERT_TRUE(model->SetM(1, std::vector<double>{0.5, 0.5, 0}).ok());
  EmOptions opt;
  opt.fixed_m = {{1, 0}};
  ASSERT_TRUE(EstimateMByEm(Generate(t, 50'000, t.lambda, 6), opt, *model).ok());
  EXPECT_NEAR(model->m(1, 0), 0.5, 1e-9);
  EXPECT_NEAR(model->m(1, 1), 0.5, 1e-9);
  EXPECT_NEAR(model->m(0, 0), t.m[0][0], 0.03);
  opt.fixed_m = {{1, 2}};  // the missing level
  EXPECT_EQ(EstimateMByEm(Generate(t, 10, t.lambda, 6), opt, *model).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(EmTest, RepairsAFieldWhereAgreementFavoursNonMatches) {
  // The three known fields plus "noise", whose agreement is more common
  // among non-matches (u 0.6) than among matches (0.1): EM's m(noise, 0)
  // ends below u, which would make agreement count against a match.
  Truth t = MakeTruth();
  t.spec.fields.push_back(FieldSpec::Make("noise", 3));
  auto model = FellegiSunterModel::Create(t.spec);
  ASSERT_TRUE(model.ok());
  for (std::size_t f = 0; f < 3; ++f) ASSERT_TRUE(model->SetU(f, t.u[f]).ok());
  ASSERT_TRUE(model->SetU(3, std::vector<double>{0.6, 0.4, 0}).ok());
  const FellegiSunterModel start = model.value();
  Truth gen = MakeTruth();
  gen.missing_rate = 0.0;
  std::vector<std::uint8_t> labels;
  const ComparisonMatrix base = Generate(gen, 50'000, 0.3, 12, &labels);
  internal::SplitMix64 rng(13);
  ComparisonMatrix mat(4);
  for (std::size_t i = 0; i < base.num_pairs(); ++i) {
    const auto r = base.Row(i);
    const double agree = labels[i] ? 0.1 : 0.6;
    mat.Append({r[0], r[1], r[2], static_cast<std::uint8_t>(rng.Uniform() < agree ? 0 : 1)});
  }
  auto rep = EstimateMByEm(mat, {}, *model);
  ASSERT_TRUE(rep.ok());
  ASSERT_EQ(rep->repaired_fields, std::vector<std::size_t>{3});
  // Agreement on "noise" is neutral now, never evidence against a match.
  EXPECT_NEAR(model->m(3, 0), model->u(3, 0), 1e-9);
  EXPECT_NEAR(model->LevelWeight(3, 0), 0.0, 1e-9);
  EXPECT_NEAR(model->m(0, 0), t.m[0][0], 0.03);
  EXPECT_NEAR(model->lambda(), 0.3, 0.03);

  EmOptions no_repair;
  no_repair.repair_label_swaps = false;
  FellegiSunterModel plain = start;
  auto rep2 = EstimateMByEm(mat, no_repair, plain);
  ASSERT_TRUE(rep2.ok());
  EXPECT_TRUE(rep2->repaired_fields.empty());
  EXPECT_LT(plain.m(3, 0), plain.u(3, 0));
}

TEST(EmTest, RejectsEmptyAndMismatchedInput) {
  const Truth t = MakeTruth();
  auto model = FellegiSunterModel::Create(t.spec);
  EXPECT_FALSE(EstimateMByEm(ComparisonMatrix(3), {}, *model).ok());
  ComparisonMatrix wrong(2);
  wrong.Append({0, 0});
  EXPECT_FALSE(EstimateMByEm(wrong, {}, *model).ok());
  EmOptions bad;
  bad.max_iterations = 0;
  EXPECT_FALSE(EstimateMByEm(Generate(t, 10, 0.5, 1), bad, *model).ok());
}

TEST(SupervisedTest, CountsLabelledPairs) {
  const Truth t = MakeTruth();
  std::vector<std::uint8_t> labels;
  const ComparisonMatrix mat = Generate(t, 100'000, 0.3, 11, &labels);
  auto model = FellegiSunterModel::Create(t.spec);
  auto rep = TrainSupervised(mat, labels,
                             {.pseudo_count = 1.0, .estimate_u = true, .estimate_lambda = true},
                             *model);
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->matches + rep->non_matches, 100'000u);
  EXPECT_NEAR(model->lambda(), 0.3, 0.01);
  EXPECT_NEAR(model->m(2, 1), t.m[2][1], 0.015);
  EXPECT_NEAR(model->u(0, 0), t.u[0][0], 0.005);

  std::vector<std::uint8_t> none(labels.size(), 0);
  EXPECT_EQ(TrainSupervised(mat, none, {}, *model).status().code(),
            StatusCode::kFailedPrecondition);
  labels.pop_back();
  EXPECT_EQ(TrainSupervised(mat, labels, {}, *model).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ThresholdsTest, ExpectedPrecisionAndRecall) {
  const std::vector<double> p = {0.9, 0.8, 0.5, 0.1, 0.0};
  const std::vector<double> t = {0.8, 0.0, 1.0};
  auto q = ExpectedQualityAt(p, t);
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 3u);
  EXPECT_EQ((*q)[0].pairs_at_or_above, 2u);  // 0.8 itself counts
  EXPECT_NEAR((*q)[0].expected_precision, 0.85, 1e-12);
  EXPECT_NEAR((*q)[0].expected_recall, 1.7 / 2.3, 1e-12);
  EXPECT_NEAR((*q)[0].expected_false_positives, 0.3, 1e-12);
  EXPECT_NEAR((*q)[0].expected_false_negatives, 0.6, 1e-12);
  EXPECT_EQ((*q)[1].pairs_at_or_above, 5u);
  EXPECT_NEAR((*q)[1].expected_recall, 1.0, 1e-12);
  EXPECT_EQ((*q)[2].pairs_at_or_above, 0u);
  EXPECT_EQ((*q)[2].expected_precision, 1.0);
  const std::vector<double> bad = {1.5};
  EXPECT_FALSE(ExpectedQualityAt(bad, t).ok());
  EXPECT_FALSE(ExpectedQualityAt(p, bad).ok());
}

TEST(ThresholdsTest, HistogramClampsOutliers) {
  const std::vector<double> w = {-30, -1, 0.5, 9.9, 40};
  auto h = HistogramOf(w, -10, 10, 4);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->counts, (std::vector<std::uint64_t>{1, 1, 1, 2}));
  EXPECT_FALSE(HistogramOf(w, 1, 1, 4).ok());
  EXPECT_FALSE(HistogramOf(w, 0, 1, 0).ok());
}

}  // namespace
}  // namespace kinlink::score
