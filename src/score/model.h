// The Fellegi–Sunter model: per field and level, m = P(level | match) and
// u = P(level | non-match), and a prior λ = P(match) for a candidate pair.
//
//   weight(γ) = log2(λ / (1 - λ)) + Σ_f log2(m[f][γ_f] / u[f][γ_f])
//   probability(γ) = 2^w / (1 + 2^w)
//
// The missing level of a field contributes 0. Term-frequency adjustment: for
// a field marked tf_adjustable, when the pair is at level 0 and the caller
// passes the frequency φ > 0 of the agreed value, u[f][0] is replaced by φ,
// i.e. the contribution gains log2(u[f][0] / φ): positive for values rarer
// than average, negative for common ones.
//
// m and u of the missing level are not used and are stored as 0; on the
// other levels both sum to 1 per field and are at least kProbabilityFloor.
//
// Thread-safety: const methods may be called concurrently; setters need
// exclusive access.
//
//   KL_ASSIGN_OR_RETURN(FellegiSunterModel model, FellegiSunterModel::Create(spec));
//   KL_RETURN_IF_ERROR(EstimateU(random_vectors, {}, model).status());
//   KL_RETURN_IF_ERROR(EstimateMByEm(candidate_vectors, {}, model).status());
//   double p = model.Probability(candidate_vectors.Row(0));
#ifndef KINLINK_SCORE_MODEL_H_
#define KINLINK_SCORE_MODEL_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "score/comparison.h"

namespace kinlink::score {

// No m, u, λ or term frequency is ever below this (log2(0) is -inf).
inline constexpr double kProbabilityFloor = 1e-6;
// JSON form version written by ToJson.
inline constexpr int kModelJsonVersion = 1;

// Per-pair term frequencies: one entry per field; entries <= 0 (or a span
// that is empty) mean "no adjustment".
using TfFrequencies = std::span<const double>;

struct FieldContribution {
  std::string field;
  int level = 0;
  std::string level_label;
  bool missing = false;
  // The total contribution of the field, tf_adjustment included.
  double weight = 0.0;
  // The part of `weight` due to term-frequency adjustment (0 if none).
  double tf_adjustment = 0.0;
  // An agreement not counted because a stronger one of its group was
  // (FieldSpec::group); `weight` is then 0.
  bool grouped = false;
};

// A waterfall: prior_weight + Σ fields[i].weight == total_weight.
struct Explanation {
  double prior_weight = 0.0;
  std::vector<FieldContribution> fields;
  double total_weight = 0.0;
  double probability = 0.0;
};

class FellegiSunterModel {
 public:
  // A model with default parameters: m skewed to level 0 (agreement), u
  // skewed to the weakest non-missing level (disagreement), λ = `lambda`.
  // INVALID_ARGUMENT when the spec is invalid or λ is not in (0, 1).
  static Result<FellegiSunterModel> Create(ComparisonSpec spec, double lambda = 1e-3);

  const ComparisonSpec& spec() const { return spec_; }
  std::size_t num_fields() const { return spec_.num_fields(); }

  double lambda() const { return lambda_; }
  double m(std::size_t field, int level) const { return m_[field][level]; }
  double u(std::size_t field, int level) const { return u_[field][level]; }
  const std::vector<double>& m_of(std::size_t field) const { return m_[field]; }
  const std::vector<double>& u_of(std::size_t field) const { return u_[field]; }
  // log2(m/u) at (field, level); 0 at the missing level.
  double LevelWeight(std::size_t field, int level) const { return weights_[field][level]; }
  // log2(λ / (1 - λ)).
  double PriorWeight() const;

  // INVALID_ARGUMENT when λ is not in (0, 1).
  Status SetLambda(double lambda);
  // Replaces m (or u) of one field: one value per level, the missing level's
  // value ignored. Values are floored at kProbabilityFloor and the
  // non-missing levels renormalised to sum 1. INVALID_ARGUMENT on a bad
  // field index, a wrong length, or a negative / non-finite value.
  Status SetM(std::size_t field, std::span<const double> m);
  Status SetU(std::size_t field, std::span<const double> u);

  // Match weight of one comparison vector (precondition: levels.size() ==
  // num_fields() and every level in range — ComparisonMatrix::Validate).
  double Weight(std::span<const std::uint8_t> levels, TfFrequencies tf = {}) const;
  double Probability(std::span<const std::uint8_t> levels, TfFrequencies tf = {}) const;
  // Per-field evidence for one vector (same preconditions as Weight).
  Explanation Explain(std::span<const std::uint8_t> levels, TfFrequencies tf = {}) const;
  // Weights / probabilities of every row (tf: one row of num_fields() per
  // pair, or empty). INVALID_ARGUMENT when the matrix does not fit the spec
  // or tf has the wrong size.
  Result<std::vector<double>> Weights(const ComparisonMatrix& vectors,
                                      std::span<const double> tf = {}) const;
  Result<std::vector<double>> Probabilities(const ComparisonMatrix& vectors,
                                            std::span<const double> tf = {}) const;

  // JSON with the spec (names, levels, labels, flags), m, u and λ.
  std::string ToJson() const;
  // INVALID_ARGUMENT on malformed JSON, a wrong version, a bad spec or
  // parameters out of range.
  static Result<FellegiSunterModel> FromJson(std::string_view json);

 private:
  explicit FellegiSunterModel(ComparisonSpec spec) : spec_(std::move(spec)) {}
  Status SetParams(std::size_t field, std::span<const double> values, bool is_m);
  void RecomputeWeights(std::size_t field);
  double TfAdjustment(std::size_t field, int level, TfFrequencies tf) const;

  ComparisonSpec spec_;
  double lambda_ = 1e-3;
  std::vector<std::vector<double>> m_;
  std::vector<std::vector<double>> u_;
  std::vector<std::vector<double>> weights_;
};

// 2^w / (1 + 2^w), computed without overflow.
double WeightToProbability(double weight);
// log2(p / (1 - p)); p clamped to [kProbabilityFloor, 1 - kProbabilityFloor].
double ProbabilityToWeight(double probability);

}  // namespace kinlink::score

#endif  // KINLINK_SCORE_MODEL_H_
