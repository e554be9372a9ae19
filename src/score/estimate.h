// Estimating a Fellegi–Sunter model's parameters.
//
// - EstimateU: u from the comparison vectors of random pairs (almost all of
//   them non-matches), by counting with Laplace smoothing. Estimating u this
//   way instead of by EM is what keeps EM stable with correlated fields.
// - EstimateMByEm: m (and λ) by expectation-maximisation on candidate pairs,
//   unsupervised, with u fixed (by default), conditional independence of the
//   fields given the match status, the missing level skipped.
// - TrainSupervised: m (and optionally u, λ) by counting labelled pairs.
//
// All are deterministic (sampling takes a seed). Thread-safety: functions
// with no shared state; the model passed in is modified.
#ifndef KINLINK_SCORE_ESTIMATE_H_
#define KINLINK_SCORE_ESTIMATE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/result.h"
#include "score/comparison.h"
#include "score/model.h"

namespace kinlink::score {

// One (field, level) whose m or u EM must leave as it is in the model.
struct FieldLevel {
  std::size_t field = 0;
  int level = 0;
  friend bool operator==(const FieldLevel&, const FieldLevel&) = default;
};

struct UEstimateOptions {
  // Added to every non-missing level's count (Laplace smoothing).
  double pseudo_count = 1.0;
};

struct UEstimateReport {
  std::size_t pairs = 0;
  // Per field: the pairs that were not missing (the counts behind u).
  std::vector<std::size_t> non_missing;
  // Fields with no non-missing pair at all: u left as it was.
  std::vector<std::size_t> fields_without_data;
};

// Sets u of every field from `random_pairs`:
//   u[f][l] = (count(f, l) + α) / (non_missing(f) + α·K_f)
// (K_f non-missing levels), floored at kProbabilityFloor. A field with no
// data keeps its u. INVALID_ARGUMENT when the matrix does not fit the model
// or α < 0.
Result<UEstimateReport> EstimateU(const ComparisonMatrix& random_pairs,
                                  const UEstimateOptions& options, FellegiSunterModel& model);

struct EmOptions {
  int max_iterations = 200;
  // Stop when no m, u or λ moves by more than this in one iteration.
  double tolerance = 1e-6;
  // At most this many pairs are used; above it, a deterministic sample
  // (chosen with `seed`) of exactly max_pairs rows.
  std::size_t max_pairs = 2'000'000;
  std::uint64_t seed = 0x6B696E6C696E6BULL;
  bool estimate_lambda = true;
  // Also estimate u by EM (not recommended: the lessons of the peers). By
  // default u stays as set (by EstimateU).
  bool estimate_u = false;
  // m (or u) of these field-levels stays fixed; the other levels of the
  // field share the remaining probability mass.
  std::vector<FieldLevel> fixed_m;
  std::vector<FieldLevel> fixed_u;
  // When EM ends with m[f][0] < u[f][0] (agreement more common among
  // non-matches than matches: a label swap for that field), the field's
  // agreement is made neutral (m[f][0] = u[f][0], the other levels keep
  // their relative shares), the field's m is fixed, and EM runs once more
  // from the start for the other fields.
  bool repair_label_swaps = true;
};

struct EmReport {
  int iterations = 0;  // of the last run
  bool converged = false;
  double last_change = 0.0;
  std::size_t pairs_used = 0;
  std::size_t distinct_vectors = 0;
  double log_likelihood = 0.0;
  // Fields whose m was repaired because of a label swap.
  std::vector<std::size_t> repaired_fields;
};

// Runs EM from the model's current m, u and λ (Create's defaults are a
// sensible start) and stores the estimates in the model. INVALID_ARGUMENT
// when the matrix does not fit the model, there are no pairs, or an option
// is out of range (a fixed field-level out of range or the missing level).
Result<EmReport> EstimateMByEm(const ComparisonMatrix& candidates, const EmOptions& options,
                               FellegiSunterModel& model);

struct SupervisedOptions {
  double pseudo_count = 1.0;
  // u from the labelled non-matches (often few and hard: random-pair u is
  // usually better, hence off by default).
  bool estimate_u = false;
  // λ = matches / pairs; labelled sets are rarely a random sample of the
  // candidates, so off by default.
  bool estimate_lambda = false;
};

struct SupervisedReport {
  std::size_t matches = 0;
  std::size_t non_matches = 0;
};

// m from the labelled matches (and u, λ as asked) by counting with
// smoothing. is_match[i] (0 or 1) labels row i. INVALID_ARGUMENT on a size
// mismatch; FAILED_PRECONDITION when there is no labelled match (or no
// non-match and estimate_u is set).
Result<SupervisedReport> TrainSupervised(const ComparisonMatrix& vectors,
                                         std::span<const std::uint8_t> is_match,
                                         const SupervisedOptions& options,
                                         FellegiSunterModel& model);

}  // namespace kinlink::score

#endif  // KINLINK_SCORE_ESTIMATE_H_
