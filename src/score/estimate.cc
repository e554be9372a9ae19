#include "score/estimate.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <utility>

#include "score/internal/random.h"

namespace kinlink::score {
namespace {

using Table = std::vector<std::vector<double>>;

// Distinct comparison vectors with their multiplicities: EM's cost then
// depends on the number of distinct vectors (small: a few fields with a few
// levels each), not on the number of pairs.
struct Patterns {
  std::vector<std::uint8_t> levels;  // row-major, one row per pattern
  std::vector<double> counts;
  double total = 0.0;
};

Patterns CollectPatterns(const ComparisonMatrix& mat, std::size_t max_pairs, std::uint64_t seed) {
  const std::size_t n = mat.num_pairs();
  const std::size_t nf = mat.num_fields();
  std::vector<std::size_t> rows;
  if (n > max_pairs) {
    // Reservoir sampling (Algorithm R): exactly max_pairs rows, memory
    // O(max_pairs) however many candidates there are.
    internal::SplitMix64 rng(seed);
    rows.resize(max_pairs);
    for (std::size_t i = 0; i < max_pairs; ++i) rows[i] = i;
    for (std::size_t i = max_pairs; i < n; ++i) {
      const std::uint64_t j = rng.Below(i + 1);
      if (j < max_pairs) rows[j] = i;
    }
    std::sort(rows.begin(), rows.end());
  }
  const std::size_t used = rows.empty() ? n : rows.size();
  Patterns p;
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t k = 0; k < used; ++k) {
    const auto row = mat.Row(rows.empty() ? k : rows[k]);
    std::string key(reinterpret_cast<const char*>(row.data()), row.size());
    auto [it, inserted] = index.try_emplace(std::move(key), p.counts.size());
    if (inserted) {
      p.levels.insert(p.levels.end(), row.begin(), row.end());
      p.counts.push_back(0.0);
    }
    p.counts[it->second] += 1.0;
  }
  p.total = static_cast<double>(used);
  (void)nf;
  return p;
}

// Normalises `counts` over the non-missing, non-fixed levels into `out`,
// giving them the mass the fixed levels leave (values of fixed levels are
// taken from `current`). Levels with no mass keep their share of `current`.
void MStep(const FieldSpec& fs, const std::vector<double>& counts,
           const std::vector<bool>& fixed, const std::vector<double>& current,
           std::vector<double>& out) {
  const int miss = fs.missing();
  double fixed_mass = 0.0;
  double free_count = 0.0;
  for (int l = 0; l < fs.num_levels; ++l) {
    const auto i = static_cast<std::size_t>(l);
    if (l == miss) continue;
    if (fixed[i]) {
      fixed_mass += current[i];
    } else {
      free_count += counts[i];
    }
  }
  out = current;
  const double free_mass = std::max(1.0 - fixed_mass, 0.0);
  if (free_count <= 0.0) return;
  for (int l = 0; l < fs.num_levels; ++l) {
    const auto i = static_cast<std::size_t>(l);
    if (l == miss || fixed[i]) continue;
    out[i] = std::max(free_mass * counts[i] / free_count, kProbabilityFloor);
  }
}

std::vector<std::vector<bool>> FixedMask(const ComparisonSpec& spec,
                                         const std::vector<FieldLevel>& fixed) {
  std::vector<std::vector<bool>> mask(spec.num_fields());
  for (std::size_t f = 0; f < spec.num_fields(); ++f) {
    mask[f].assign(static_cast<std::size_t>(spec.fields[f].num_levels), false);
  }
  for (const FieldLevel& fl : fixed) mask[fl.field][static_cast<std::size_t>(fl.level)] = true;
  return mask;
}

Status CheckFixed(const ComparisonSpec& spec, const std::vector<FieldLevel>& fixed,
                  const char* what) {
  for (const FieldLevel& fl : fixed) {
    if (fl.field >= spec.num_fields() || fl.level < 0 ||
        fl.level >= spec.fields[fl.field].num_levels ||
        fl.level == spec.fields[fl.field].missing()) {
      return InvalidArgumentError(std::string(what) +
                                  ": field-level out of range or the missing level");
    }
  }
  return OkStatus();
}

struct EmState {
  Table m;
  Table u;
  double lambda = 0.0;
};

// One EM run from `state`; returns the report and leaves the estimates in
// `state`.
EmReport RunEm(const ComparisonSpec& spec, const Patterns& pats, const EmOptions& options,
               const std::vector<std::vector<bool>>& fixed_m,
               const std::vector<std::vector<bool>>& fixed_u, EmState& state) {
  const std::size_t nf = spec.num_fields();
  const std::size_t np = pats.counts.size();
  EmReport report;
  report.pairs_used = static_cast<std::size_t>(pats.total);
  report.distinct_vectors = np;
  Table m_counts(nf);
  Table u_counts(nf);
  std::vector<double> next;
  for (int it = 1; it <= options.max_iterations; ++it) {
    for (std::size_t f = 0; f < nf; ++f) {
      m_counts[f].assign(state.m[f].size(), 0.0);
      u_counts[f].assign(state.u[f].size(), 0.0);
    }
    // E-step, in logs: products of many small probabilities underflow.
    double match_mass = 0.0;
    double loglik = 0.0;
    const double log_lambda = std::log(state.lambda);
    const double log_not_lambda = std::log1p(-state.lambda);
    for (std::size_t p = 0; p < np; ++p) {
      const std::uint8_t* row = pats.levels.data() + p * nf;
      double lm = log_lambda;
      double lu = log_not_lambda;
      for (std::size_t f = 0; f < nf; ++f) {
        if (row[f] == spec.fields[f].missing()) continue;
        lm += std::log(state.m[f][row[f]]);
        lu += std::log(state.u[f][row[f]]);
      }
      const double hi = std::max(lm, lu);
      const double log_total = hi + std::log(std::exp(lm - hi) + std::exp(lu - hi));
      const double post = std::exp(lm - log_total);
      const double c = pats.counts[p];
      loglik += c * log_total;
      match_mass += c * post;
      for (std::size_t f = 0; f < nf; ++f) {
        if (row[f] == spec.fields[f].missing()) continue;
        m_counts[f][row[f]] += c * post;
        u_counts[f][row[f]] += c * (1.0 - post);
      }
    }
    // M-step.
    double change = 0.0;
    for (std::size_t f = 0; f < nf; ++f) {
      MStep(spec.fields[f], m_counts[f], fixed_m[f], state.m[f], next);
      for (std::size_t l = 0; l < next.size(); ++l) {
        change = std::max(change, std::abs(next[l] - state.m[f][l]));
      }
      state.m[f].swap(next);
      if (options.estimate_u) {
        MStep(spec.fields[f], u_counts[f], fixed_u[f], state.u[f], next);
        for (std::size_t l = 0; l < next.size(); ++l) {
          change = std::max(change, std::abs(next[l] - state.u[f][l]));
        }
        state.u[f].swap(next);
      }
    }
    if (options.estimate_lambda) {
      const double lambda = std::clamp(match_mass / pats.total, kProbabilityFloor,
                                       1.0 - kProbabilityFloor);
      change = std::max(change, std::abs(lambda - state.lambda));
      state.lambda = lambda;
    }
    report.iterations = it;
    report.last_change = change;
    report.log_likelihood = loglik;
    if (change < options.tolerance) {
      report.converged = true;
      break;
    }
  }
  return report;
}

}  // namespace

Result<UEstimateReport> EstimateU(const ComparisonMatrix& random_pairs,
                                  const UEstimateOptions& options, FellegiSunterModel& model) {
  const ComparisonSpec& spec = model.spec();
  KL_RETURN_IF_ERROR(random_pairs.Validate(spec));
  if (!(options.pseudo_count >= 0.0) || !std::isfinite(options.pseudo_count)) {
    return InvalidArgumentError("u estimation: pseudo_count must be >= 0");
  }
  const std::size_t nf = spec.num_fields();
  const std::size_t n = random_pairs.num_pairs();
  Table counts(nf);
  for (std::size_t f = 0; f < nf; ++f) {
    counts[f].assign(static_cast<std::size_t>(spec.fields[f].num_levels), 0.0);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const auto row = random_pairs.Row(i);
    for (std::size_t f = 0; f < nf; ++f) counts[f][row[f]] += 1.0;
  }
  UEstimateReport report;
  report.pairs = n;
  for (std::size_t f = 0; f < nf; ++f) {
    const FieldSpec& fs = spec.fields[f];
    const auto miss = static_cast<std::size_t>(fs.missing());
    const double present = static_cast<double>(n) - counts[f][miss];
    report.non_missing.push_back(static_cast<std::size_t>(present));
    if (present <= 0.0) {
      report.fields_without_data.push_back(f);
      continue;
    }
    for (double& c : counts[f]) c += options.pseudo_count;
    counts[f][miss] = 0.0;
    KL_RETURN_IF_ERROR(model.SetU(f, counts[f]));  // normalises and floors
  }
  return report;
}

Result<EmReport> EstimateMByEm(const ComparisonMatrix& candidates, const EmOptions& options,
                               FellegiSunterModel& model) {
  const ComparisonSpec& spec = model.spec();
  KL_RETURN_IF_ERROR(candidates.Validate(spec));
  if (candidates.num_pairs() == 0) return InvalidArgumentError("EM: no candidate pairs");
  if (options.max_iterations < 1 || options.max_pairs < 1 || !(options.tolerance > 0.0)) {
    return InvalidArgumentError("EM: max_iterations, max_pairs and tolerance must be positive");
  }
  KL_RETURN_IF_ERROR(CheckFixed(spec, options.fixed_m, "EM fixed_m"));
  KL_RETURN_IF_ERROR(CheckFixed(spec, options.fixed_u, "EM fixed_u"));

  const Patterns pats = CollectPatterns(candidates, options.max_pairs, options.seed);
  const std::size_t nf = spec.num_fields();
  EmState start;
  start.lambda = model.lambda();
  for (std::size_t f = 0; f < nf; ++f) {
    start.m.push_back(model.m_of(f));
    start.u.push_back(model.u_of(f));
  }
  std::vector<FieldLevel> fixed_m_list = options.fixed_m;
  auto fixed_m = FixedMask(spec, fixed_m_list);
  const auto fixed_u = FixedMask(spec, options.fixed_u);

  EmState state = start;
  EmReport report = RunEm(spec, pats, options, fixed_m, fixed_u, state);

  if (options.repair_label_swaps) {
    std::vector<std::size_t> swapped;
    for (std::size_t f = 0; f < nf; ++f) {
      if (spec.fields[f].missing() != 0 && state.m[f][0] < state.u[f][0]) swapped.push_back(f);
    }
    if (!swapped.empty()) {
      // Agreement must never count against a match: the field's agreement
      // level becomes neutral (m = u), the other levels keep EM's relative
      // shares, and the whole field is fixed while EM re-runs from the start
      // for the others.
      EmState repaired = start;
      for (std::size_t f : swapped) {
        const FieldSpec& fs = spec.fields[f];
        std::vector<double>& m = repaired.m[f];
        m = state.m[f];
        const double rest = 1.0 - m[0];
        const double target_rest = 1.0 - state.u[f][0];
        m[0] = state.u[f][0];
        for (int l = 1; l < fs.num_levels; ++l) {
          if (l == fs.missing()) continue;
          const auto i = static_cast<std::size_t>(l);
          m[i] = rest > 0.0 ? std::max(m[i] * target_rest / rest, kProbabilityFloor)
                            : kProbabilityFloor;
          fixed_m[f][i] = true;
        }
        fixed_m[f][0] = true;
      }
      state = std::move(repaired);
      report = RunEm(spec, pats, options, fixed_m, fixed_u, state);
      report.repaired_fields = std::move(swapped);
    }
  }

  for (std::size_t f = 0; f < nf; ++f) {
    KL_RETURN_IF_ERROR(model.SetM(f, state.m[f]));
    if (options.estimate_u) KL_RETURN_IF_ERROR(model.SetU(f, state.u[f]));
  }
  if (options.estimate_lambda) KL_RETURN_IF_ERROR(model.SetLambda(state.lambda));
  return report;
}

Result<SupervisedReport> TrainSupervised(const ComparisonMatrix& vectors,
                                         std::span<const std::uint8_t> is_match,
                                         const SupervisedOptions& options,
                                         FellegiSunterModel& model) {
  const ComparisonSpec& spec = model.spec();
  KL_RETURN_IF_ERROR(vectors.Validate(spec));
  const std::size_t n = vectors.num_pairs();
  if (is_match.size() != n) {
    return InvalidArgumentError("supervised training: " + std::to_string(is_match.size()) +
                                " labels for " + std::to_string(n) + " pairs");
  }
  if (!(options.pseudo_count >= 0.0) || !std::isfinite(options.pseudo_count)) {
    return InvalidArgumentError("supervised training: pseudo_count must be >= 0");
  }
  const std::size_t nf = spec.num_fields();
  Table m_counts(nf);
  Table u_counts(nf);
  for (std::size_t f = 0; f < nf; ++f) {
    m_counts[f].assign(static_cast<std::size_t>(spec.fields[f].num_levels),
                       options.pseudo_count);
    u_counts[f] = m_counts[f];
  }
  SupervisedReport report;
  for (std::size_t i = 0; i < n; ++i) {
    if (is_match[i] > 1) return InvalidArgumentError("supervised training: label not 0 or 1");
    Table& t = is_match[i] ? m_counts : u_counts;
    (is_match[i] ? report.matches : report.non_matches)++;
    const auto row = vectors.Row(i);
    for (std::size_t f = 0; f < nf; ++f) t[f][row[f]] += 1.0;
  }
  if (report.matches == 0) {
    return FailedPreconditionError("supervised training: no labelled match");
  }
  if (options.estimate_u && report.non_matches == 0) {
    return FailedPreconditionError("supervised training: no labelled non-match");
  }
  for (std::size_t f = 0; f < nf; ++f) {
    const auto miss = static_cast<std::size_t>(spec.fields[f].missing());
    m_counts[f][miss] = 0.0;
    u_counts[f][miss] = 0.0;
    // A field missing in every labelled match keeps its m (SetM rejects an
    // all-zero vector only when there is no smoothing).
    bool any = false;
    for (double c : m_counts[f]) any = any || c > 0.0;
    if (any) KL_RETURN_IF_ERROR(model.SetM(f, m_counts[f]));
    if (options.estimate_u) {
      any = false;
      for (double c : u_counts[f]) any = any || c > 0.0;
      if (any) KL_RETURN_IF_ERROR(model.SetU(f, u_counts[f]));
    }
  }
  if (options.estimate_lambda) {
    KL_RETURN_IF_ERROR(model.SetLambda(std::clamp(
        static_cast<double>(report.matches) / static_cast<double>(n), kProbabilityFloor,
        1.0 - kProbabilityFloor)));
  }
  return report;
}

}  // namespace kinlink::score
