#include "score/model.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

namespace kinlink::score {
namespace {

// Default starting point: geometric shares over the non-missing levels,
// strongest at level 0 for m and at the weakest level for u. Sensible for EM
// to start from: matches mostly agree, non-matches mostly disagree.
std::vector<double> DefaultShares(const FieldSpec& fs, bool agree_heavy) {
  std::vector<double> v(static_cast<std::size_t>(fs.num_levels), 0.0);
  const int miss = fs.missing();
  std::vector<int> levels;
  for (int l = 0; l < fs.num_levels; ++l) {
    if (l != miss) levels.push_back(l);
  }
  if (!agree_heavy) std::reverse(levels.begin(), levels.end());
  double share = 1.0;
  double sum = 0.0;
  for (int l : levels) {
    v[static_cast<std::size_t>(l)] = share;
    sum += share;
    share *= 0.25;
  }
  for (double& x : v) x /= sum;
  return v;
}

}  // namespace

double WeightToProbability(double weight) {
  // 2^w / (1 + 2^w) = 1 / (1 + 2^-w); stable for large |w|.
  if (weight >= 0) return 1.0 / (1.0 + std::exp2(-weight));
  const double e = std::exp2(weight);
  return e / (1.0 + e);
}

double ProbabilityToWeight(double probability) {
  const double p = std::clamp(probability, kProbabilityFloor, 1.0 - kProbabilityFloor);
  return std::log2(p / (1.0 - p));
}

Result<FellegiSunterModel> FellegiSunterModel::Create(ComparisonSpec spec, double lambda) {
  KL_RETURN_IF_ERROR(spec.Validate());
  FellegiSunterModel model(std::move(spec));
  KL_RETURN_IF_ERROR(model.SetLambda(lambda));
  const std::size_t n = model.spec_.num_fields();
  model.m_.resize(n);
  model.u_.resize(n);
  model.weights_.resize(n);
  for (std::size_t f = 0; f < n; ++f) {
    model.m_[f] = DefaultShares(model.spec_.fields[f], /*agree_heavy=*/true);
    model.u_[f] = DefaultShares(model.spec_.fields[f], /*agree_heavy=*/false);
    model.RecomputeWeights(f);
  }
  return model;
}

double FellegiSunterModel::PriorWeight() const { return std::log2(lambda_ / (1.0 - lambda_)); }

Status FellegiSunterModel::SetLambda(double lambda) {
  if (!(lambda > 0.0 && lambda < 1.0)) {
    return InvalidArgumentError("lambda must be in (0, 1)");
  }
  lambda_ = std::clamp(lambda, kProbabilityFloor, 1.0 - kProbabilityFloor);
  return OkStatus();
}

Status FellegiSunterModel::SetM(std::size_t field, std::span<const double> m) {
  return SetParams(field, m, /*is_m=*/true);
}

Status FellegiSunterModel::SetU(std::size_t field, std::span<const double> u) {
  return SetParams(field, u, /*is_m=*/false);
}

Status FellegiSunterModel::SetParams(std::size_t field, std::span<const double> values,
                                     bool is_m) {
  if (field >= spec_.num_fields()) return InvalidArgumentError("field index out of range");
  const FieldSpec& fs = spec_.fields[field];
  if (values.size() != static_cast<std::size_t>(fs.num_levels)) {
    return InvalidArgumentError("field '" + fs.name + "': " + std::to_string(values.size()) +
                                " values for " + std::to_string(fs.num_levels) + " levels");
  }
  const int miss = fs.missing();
  std::vector<double> v(values.begin(), values.end());
  double sum = 0.0;
  for (int l = 0; l < fs.num_levels; ++l) {
    if (l == miss) continue;
    const double x = v[static_cast<std::size_t>(l)];
    if (!std::isfinite(x) || x < 0) {
      return InvalidArgumentError("field '" + fs.name + "': probability at level " +
                                  std::to_string(l) + " is negative or not finite");
    }
    sum += x;
  }
  if (sum <= 0) return InvalidArgumentError("field '" + fs.name + "': probabilities sum to 0");
  // Normalise, floor, normalise again: no level may reach 0 (log2(0)), and
  // the floor is small enough that the second pass hardly moves it.
  double sum2 = 0.0;
  for (int l = 0; l < fs.num_levels; ++l) {
    double& x = v[static_cast<std::size_t>(l)];
    if (l == miss) {
      x = 0.0;
      continue;
    }
    x = std::max(x / sum, kProbabilityFloor);
    sum2 += x;
  }
  for (double& x : v) x /= sum2;
  (is_m ? m_ : u_)[field] = std::move(v);
  RecomputeWeights(field);
  return OkStatus();
}

void FellegiSunterModel::RecomputeWeights(std::size_t field) {
  const FieldSpec& fs = spec_.fields[field];
  std::vector<double>& w = weights_[field];
  w.assign(static_cast<std::size_t>(fs.num_levels), 0.0);
  for (int l = 0; l < fs.num_levels; ++l) {
    if (l == fs.missing()) continue;
    const auto i = static_cast<std::size_t>(l);
    w[i] = std::log2(m_[field][i] / u_[field][i]);
  }
}

double FellegiSunterModel::TfAdjustment(std::size_t field, int level, TfFrequencies tf) const {
  if (level != 0 || tf.empty() || !spec_.fields[field].tf_adjustable) return 0.0;
  const double phi = tf[field];
  if (!(phi > 0.0)) return 0.0;
  // Replacing u[f][0] by φ changes log2(m/u) by log2(u/φ).
  return std::log2(u_[field][0] / std::clamp(phi, kProbabilityFloor, 1.0));
}

double FellegiSunterModel::Weight(std::span<const std::uint8_t> levels, TfFrequencies tf) const {
  double w = PriorWeight();
  // Strongest positive weight per group (groups are small numbers).
  std::array<double, kMaxGroups> best{};
  for (std::size_t f = 0; f < levels.size(); ++f) {
    const int l = levels[f];
    const double fw = weights_[f][static_cast<std::size_t>(l)] + TfAdjustment(f, l, tf);
    const int g = spec_.fields[f].group;
    if (g > 0 && fw > 0) {
      best[static_cast<std::size_t>(g)] = std::max(best[static_cast<std::size_t>(g)], fw);
    } else {
      w += fw;
    }
  }
  for (double b : best) w += b;
  return w;
}

double FellegiSunterModel::Probability(std::span<const std::uint8_t> levels,
                                       TfFrequencies tf) const {
  return WeightToProbability(Weight(levels, tf));
}

Explanation FellegiSunterModel::Explain(std::span<const std::uint8_t> levels,
                                        TfFrequencies tf) const {
  Explanation e;
  e.prior_weight = PriorWeight();
  e.total_weight = e.prior_weight;
  e.fields.reserve(levels.size());
  std::array<int, kMaxGroups> best{};  // field index + 1 of each group's strongest agreement
  for (std::size_t f = 0; f < levels.size(); ++f) {
    const FieldSpec& fs = spec_.fields[f];
    FieldContribution c;
    c.field = fs.name;
    c.level = levels[f];
    c.level_label = fs.LevelLabel(c.level);
    c.missing = c.level == fs.missing();
    c.tf_adjustment = TfAdjustment(f, c.level, tf);
    c.weight = weights_[f][static_cast<std::size_t>(c.level)] + c.tf_adjustment;
    if (fs.group > 0 && c.weight > 0) {
      int& b = best[static_cast<std::size_t>(fs.group)];
      if (b == 0 || c.weight > e.fields[static_cast<std::size_t>(b - 1)].weight) {
        b = static_cast<int>(f) + 1;
      }
    }
    e.fields.push_back(std::move(c));
  }
  for (std::size_t f = 0; f < e.fields.size(); ++f) {
    FieldContribution& c = e.fields[f];
    const int g = spec_.fields[f].group;
    if (g > 0 && c.weight > 0 && best[static_cast<std::size_t>(g)] != static_cast<int>(f) + 1) {
      c.grouped = true;
      c.weight = 0;
      c.tf_adjustment = 0;
    }
    e.total_weight += c.weight;
  }
  e.probability = WeightToProbability(e.total_weight);
  return e;
}

Result<std::vector<double>> FellegiSunterModel::Weights(const ComparisonMatrix& vectors,
                                                        std::span<const double> tf) const {
  KL_RETURN_IF_ERROR(vectors.Validate(spec_));
  const std::size_t n = vectors.num_pairs();
  const std::size_t nf = num_fields();
  if (!tf.empty() && tf.size() != n * nf) {
    return InvalidArgumentError("term frequencies: " + std::to_string(tf.size()) +
                                " values for " + std::to_string(n) + " pairs");
  }
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = Weight(vectors.Row(i), tf.empty() ? TfFrequencies{} : tf.subspan(i * nf, nf));
  }
  return out;
}

Result<std::vector<double>> FellegiSunterModel::Probabilities(const ComparisonMatrix& vectors,
                                                              std::span<const double> tf) const {
  KL_ASSIGN_OR_RETURN(std::vector<double> w, Weights(vectors, tf));
  for (double& x : w) x = WeightToProbability(x);
  return w;
}

std::string FellegiSunterModel::ToJson() const {
  nlohmann::json j;
  j["version"] = kModelJsonVersion;
  j["lambda"] = lambda_;
  nlohmann::json fields = nlohmann::json::array();
  for (std::size_t f = 0; f < num_fields(); ++f) {
    const FieldSpec& fs = spec_.fields[f];
    nlohmann::json jf;
    jf["name"] = fs.name;
    jf["num_levels"] = fs.num_levels;
    jf["missing_level"] = fs.missing();
    jf["tf_adjustable"] = fs.tf_adjustable;
    if (fs.group > 0) jf["group"] = fs.group;
    jf["level_labels"] = fs.level_labels;
    jf["m"] = m_[f];
    jf["u"] = u_[f];
    fields.push_back(std::move(jf));
  }
  j["fields"] = std::move(fields);
  return j.dump(2);
}

Result<FellegiSunterModel> FellegiSunterModel::FromJson(std::string_view json) {
  // nlohmann throws on malformed input or a type mismatch; this is a module
  // boundary, so every exception becomes INVALID_ARGUMENT here.
  ComparisonSpec spec;
  std::vector<std::vector<double>> m;
  std::vector<std::vector<double>> u;
  double lambda = 0;
  try {
    const nlohmann::json j = nlohmann::json::parse(json);
    if (!j.is_object()) return InvalidArgumentError("model JSON: not an object");
    if (j.at("version").get<int>() != kModelJsonVersion) {
      return InvalidArgumentError("model JSON: unsupported version");
    }
    lambda = j.at("lambda").get<double>();
    const nlohmann::json& fields = j.at("fields");
    if (!fields.is_array() || fields.size() > kMaxFields) {
      return InvalidArgumentError("model JSON: 'fields' must be an array of at most " +
                                  std::to_string(kMaxFields));
    }
    for (const nlohmann::json& jf : fields) {
      FieldSpec fs;
      fs.name = jf.at("name").get<std::string>();
      fs.num_levels = jf.at("num_levels").get<int>();
      fs.missing_level = jf.at("missing_level").get<int>();
      fs.tf_adjustable = jf.at("tf_adjustable").get<bool>();
      fs.group = jf.value("group", 0);
      fs.level_labels = jf.at("level_labels").get<std::vector<std::string>>();
      m.push_back(jf.at("m").get<std::vector<double>>());
      u.push_back(jf.at("u").get<std::vector<double>>());
      spec.fields.push_back(std::move(fs));
    }
  } catch (const nlohmann::json::exception& e) {
    // The library's message names positions and keys, never values of
    // records (a model holds no record data).
    return InvalidArgumentError(std::string("model JSON: ") + e.what());
  }
  KL_ASSIGN_OR_RETURN(FellegiSunterModel model, Create(std::move(spec), lambda));
  for (std::size_t f = 0; f < model.num_fields(); ++f) {
    KL_RETURN_IF_ERROR(model.SetM(f, m[f]));
    KL_RETURN_IF_ERROR(model.SetU(f, u[f]));
  }
  return model;
}

}  // namespace kinlink::score
