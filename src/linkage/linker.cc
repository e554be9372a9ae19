#include "linkage/linker.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <span>
#include <thread>

#include "score/estimate.h"
#include "score/term_frequency.h"

namespace kinlink::linkage {

namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Side {
  std::vector<Features> features;
  score::BlockingKeys keys{kBlockingRules};
};

int WorkerCount() {
  const unsigned hw = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(hw, 1u, 16u));
}

// Runs fn(begin, end, worker) over [0, n) in contiguous chunks, one per
// worker thread; returns the first error.
Status ParallelFor(std::size_t n, int workers,
                   const std::function<Status(std::size_t, std::size_t, int)>& fn) {
  if (n < 4096 || workers <= 1) return fn(0, n, 0);
  std::vector<std::thread> threads;
  std::vector<Status> results(static_cast<std::size_t>(workers));
  const std::size_t chunk = (n + static_cast<std::size_t>(workers) - 1) / workers;
  for (int w = 0; w < workers; ++w) {
    const std::size_t begin = std::min(n, chunk * static_cast<std::size_t>(w));
    const std::size_t end = std::min(n, begin + chunk);
    threads.emplace_back([&, begin, end, w] { results[static_cast<std::size_t>(w)] = fn(begin, end, w); });
  }
  for (std::thread& t : threads) t.join();
  for (Status& s : results) KL_RETURN_IF_ERROR(s);
  return OkStatus();
}

Status ExtractAll(const Dataset& data, const ExtractorOptions& xo, Side* side,
                  const LinkOptions& options, std::string_view stage) {
  const std::size_t n = data.records.size();
  side->features.resize(n);
  std::vector<BlockingKeyRow> rows(n);
  KL_RETURN_IF_ERROR(ParallelFor(n, WorkerCount(), [&](std::size_t begin, std::size_t end,
                                                       int worker) -> Status {
    // One extractor per thread: ICU transliterators are not thread-safe.
    KL_ASSIGN_OR_RETURN(std::unique_ptr<FeatureExtractor> extractor, FeatureExtractor::Create(xo));
    for (std::size_t i = begin; i < end; ++i) {
      extractor->Extract(data.records[i], &side->features[i], &rows[i]);
      if (worker == 0 && options.progress && (i & 4095) == 0) {
        options.progress(stage, static_cast<double>(i - begin) / static_cast<double>(end - begin));
      }
    }
    return OkStatus();
  }));
  side->keys.Reserve(n);
  for (const BlockingKeyRow& row : rows) side->keys.Append(row);
  return OkStatus();
}

// Counts of exact given and family name tokens, over both inputs.
struct TfTables {
  score::TermFrequencyTable given;
  score::TermFrequencyTable family;
  void Add(const Side& side) {
    for (const Features& f : side.features) {
      if (f.given.present) given.Add(f.given.exact);
      if (f.family.present) family.Add(f.family.exact);
    }
  }
};

void FillTf(const TfTables& tf, const Features& a, const Features& b, const LevelRow& l,
            std::array<double, kCmpFieldCount>* out) {
  out->fill(0.0);
  if (l[kCmpGiven] == kNameExact && a.given.exact == b.given.exact) {
    (*out)[kCmpGiven] = tf.given.PairFrequency(a.given.exact, b.given.exact);
  }
  if (l[kCmpFamily] == kNameExact && a.family.exact == b.family.exact) {
    (*out)[kCmpFamily] = tf.family.PairFrequency(a.family.exact, b.family.exact);
  }
}

// EM can push m of a rare level to ~0 when one level explains the matches
// well (all true pairs with an exact birth date, say); that level then
// becomes strong evidence *against* a match when it occurs — a year typo
// would veto otherwise perfect agreement. A floor on every non-missing m
// keeps such levels close to neutral instead.
Status SmoothM(score::FellegiSunterModel& model, double floor) {
  if (floor <= 0) return OkStatus();
  for (std::size_t f = 0; f < model.num_fields(); ++f) {
    std::vector<double> m = model.m_of(f);
    const int missing = model.spec().fields[f].missing();
    double total = 0;
    for (std::size_t l = 0; l < m.size(); ++l) {
      if (static_cast<int>(l) == missing) continue;
      m[l] = std::max(m[l], floor);
      total += m[l];
    }
    for (std::size_t l = 0; l < m.size(); ++l) {
      if (static_cast<int>(l) != missing) m[l] /= total;
    }
    KL_RETURN_IF_ERROR(model.SetM(f, m));
  }
  return OkStatus();
}

// Blocking, comparison, model, scoring and selection over extracted
// features. `r_side` is null for dedupe.
Result<LinkResult> RunSides(const Side& l_side, const Side* r_side, const LinkOptions& options,
                            std::span<const score::RecordPair> extra_candidates,
                            Clock::time_point started, double seconds_features) {
  const bool dedupe = r_side == nullptr;
  const Side& rs = dedupe ? l_side : *r_side;
  const std::size_t left_n = l_side.features.size();
  const std::size_t right_n = dedupe ? 0 : r_side->features.size();
  LinkResult result;
  LinkStats& stats = result.stats;
  stats.left_records = left_n;
  stats.right_records = right_n;
  stats.seconds_features = seconds_features;
  if (left_n == 0 || (!dedupe && right_n == 0)) {
    return InvalidArgumentError("nothing to match: an input has no usable records");
  }

  // Blocking.
  auto t = Clock::now();
  KL_ASSIGN_OR_RETURN(score::BlockIndex l_index, score::BlockIndex::Build(l_side.keys));
  score::CandidateReport report;
  if (dedupe) {
    KL_ASSIGN_OR_RETURN(result.candidates,
                        score::CollectDedupeCandidates(l_index, options.blocking, &report));
  } else {
    KL_ASSIGN_OR_RETURN(score::BlockIndex r_index, score::BlockIndex::Build(r_side->keys));
    KL_ASSIGN_OR_RETURN(result.candidates,
                        score::CollectLinkCandidates(l_index, r_index, options.blocking, &report));
  }
  if (!extra_candidates.empty()) {
    result.candidates.insert(result.candidates.end(), extra_candidates.begin(),
                             extra_candidates.end());
    std::sort(result.candidates.begin(), result.candidates.end());
    result.candidates.erase(std::unique(result.candidates.begin(), result.candidates.end()),
                            result.candidates.end());
  }
  stats.candidates = result.candidates.size();
  stats.candidates_per_rule = report.pairs_per_rule;
  stats.capped_blocks = report.capped.size();
  stats.seconds_blocking = Since(t);

  // Comparison vectors of the candidates and of random pairs.
  t = Clock::now();
  const score::ComparisonSpec spec = MakeComparisonSpec();
  score::ComparisonMatrix cand(spec.num_fields());
  {
    std::vector<std::uint8_t> levels(result.candidates.size() * kCmpFieldCount);
    KL_RETURN_IF_ERROR(ParallelFor(result.candidates.size(), WorkerCount(),
                                   [&](std::size_t begin, std::size_t end, int worker) -> Status {
      LevelRow lr;
      for (std::size_t i = begin; i < end; ++i) {
        const score::RecordPair& p = result.candidates[i];
        Compare(l_side.features[p.a], rs.features[p.b], options.mode, options.thresholds, &lr);
        std::copy(lr.begin(), lr.end(), levels.begin() + static_cast<std::ptrdiff_t>(i * kCmpFieldCount));
        if (worker == 0 && options.progress && (i & 65535) == 0) {
          options.progress("compare", static_cast<double>(i - begin) / static_cast<double>(end - begin));
        }
      }
      return OkStatus();
    }));
    cand.AppendRows(levels);
  }
  stats.seconds_compare = Since(t);
  LevelRow row;
  std::vector<score::RecordPair> random;
  if (dedupe) {
    KL_ASSIGN_OR_RETURN(random,
                        score::SampleRandomDedupePairs(left_n, options.random_pairs, options.seed));
  } else {
    KL_ASSIGN_OR_RETURN(
        random, score::SampleRandomLinkPairs(left_n, right_n, options.random_pairs, options.seed));
  }
  score::ComparisonMatrix rnd(spec.num_fields());
  rnd.Reserve(random.size());
  for (const score::RecordPair& p : random) {
    Compare(l_side.features[p.a], rs.features[p.b], options.mode, options.thresholds, &row);
    rnd.Append(row);
  }

  // The model: u from random pairs, m and λ by EM over the candidates.
  // Candidates are not random pairs: their non-matches agree on the
  // blocking fields far more often. So EM fits m, u and λ on the candidates
  // (u starting from the random-pair estimate), and the scoring model then
  // takes m from EM, u from random pairs, and λ = the expected number of
  // matches over all pairs — the probability that two random records match.
  KL_ASSIGN_OR_RETURN(score::FellegiSunterModel model, score::FellegiSunterModel::Create(spec));
  KL_RETURN_IF_ERROR(score::EstimateU(rnd, {}, model).status());
  const double all_pairs = dedupe
                               ? 0.5 * static_cast<double>(left_n) * static_cast<double>(left_n - 1)
                               : static_cast<double>(left_n) * static_cast<double>(right_n);
  if (cand.num_pairs() > 0) {
    KL_RETURN_IF_ERROR(model.SetLambda(0.1));
    score::EmOptions em;
    em.seed = options.seed;
    em.estimate_u = true;
    // Siblings share family name, father's name and places: unsupervised EM
    // can take "same family" for "same person". The given name is what
    // tells them apart, so how often one person's given names differ
    // outright is fixed from domain knowledge rather than learned.
    if (options.m_given_different > 0) {
      std::vector<double> m = model.m_of(kCmpGiven);
      const double rest = 1.0 - options.m_given_different;
      double others = 0;
      for (int l = 0; l < kNameMissing; ++l) {
        if (l != kNameDifferent) others += m[static_cast<std::size_t>(l)];
      }
      for (int l = 0; l < kNameMissing; ++l) {
        m[static_cast<std::size_t>(l)] =
            l == kNameDifferent ? options.m_given_different : m[static_cast<std::size_t>(l)] * rest / others;
      }
      KL_RETURN_IF_ERROR(model.SetM(kCmpGiven, m));
      em.fixed_m.push_back({kCmpGiven, kNameDifferent});
    }
    KL_ASSIGN_OR_RETURN(score::EmReport em_report, score::EstimateMByEm(cand, em, model));
    stats.em_iterations = em_report.iterations;
    stats.em_converged = em_report.converged;
    const double expected_matches = model.lambda() * static_cast<double>(cand.num_pairs());
    KL_RETURN_IF_ERROR(SmoothM(model, options.m_floor));
    if (options.m_given_different > 0) {
      // The floor must not lift the fixed level back up.
      std::vector<double> m = model.m_of(kCmpGiven);
      const double old_level = m[kNameDifferent];
      for (int l = 0; l < kNameMissing; ++l) {
        m[static_cast<std::size_t>(l)] =
            l == kNameDifferent ? options.m_given_different
                                : m[static_cast<std::size_t>(l)] * (1 - options.m_given_different) /
                                      (1 - old_level);
      }
      KL_RETURN_IF_ERROR(model.SetM(kCmpGiven, m));
    }
    KL_RETURN_IF_ERROR(score::EstimateU(rnd, {}, model).status());
    KL_RETURN_IF_ERROR(model.SetLambda(
        std::clamp(expected_matches / std::max(all_pairs, 1.0), score::kProbabilityFloor, 0.5)));
  }
  stats.lambda = model.lambda();
  stats.seconds_model = Since(t) - stats.seconds_compare;

  // Score and select.
  TfTables tf;
  tf.Add(l_side);
  if (!dedupe) tf.Add(*r_side);
  std::array<double, kCmpFieldCount> freq;
  std::vector<ScoredPair> scored;
  std::vector<std::uint32_t> scored_rows;
  {
    // Each worker scores a contiguous range; joined in worker order, the
    // result is the same as one pass in candidate order.
    const int workers = WorkerCount();
    std::vector<std::vector<ScoredPair>> part_pairs(static_cast<std::size_t>(workers));
    std::vector<std::vector<std::uint32_t>> part_rows(static_cast<std::size_t>(workers));
    KL_RETURN_IF_ERROR(ParallelFor(result.candidates.size(), workers,
                                   [&](std::size_t begin, std::size_t end, int worker) -> Status {
      std::array<double, kCmpFieldCount> f;
      LevelRow r;
      std::vector<ScoredPair>& pairs = part_pairs[static_cast<std::size_t>(worker)];
      std::vector<std::uint32_t>& rows = part_rows[static_cast<std::size_t>(worker)];
      for (std::size_t i = begin; i < end; ++i) {
        const score::RecordPair& p = result.candidates[i];
        std::copy_n(cand.Row(i).begin(), kCmpFieldCount, r.begin());
        FillTf(tf, l_side.features[p.a], rs.features[p.b], r, &f);
        const double w = model.Weight(cand.Row(i), f);
        const double prob = score::WeightToProbability(w);
        if (options.top_k > 0 || prob >= options.threshold) {
          pairs.push_back({p.a, p.b, w, prob});
          rows.push_back(static_cast<std::uint32_t>(i));
        }
      }
      return OkStatus();
    }));
    for (std::size_t w = 0; w < part_pairs.size(); ++w) {
      scored.insert(scored.end(), part_pairs[w].begin(), part_pairs[w].end());
      scored_rows.insert(scored_rows.end(), part_rows[w].begin(), part_rows[w].end());
    }
  }
  // Order by left record, best first; keep the top K per left record.
  std::vector<std::size_t> order(scored.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    const ScoredPair& a = scored[x];
    const ScoredPair& b = scored[y];
    if (a.a != b.a) return a.a < b.a;
    if (a.weight != b.weight) return a.weight > b.weight;
    return a.b < b.b;
  });
  std::uint32_t current = UINT32_MAX;
  int kept_for_current = 0;
  for (std::size_t idx : order) {
    const ScoredPair& sp = scored[idx];
    if (sp.a != current) {
      current = sp.a;
      kept_for_current = 0;
    }
    if (options.top_k > 0 && kept_for_current >= options.top_k) continue;
    ++kept_for_current;
    result.pairs.push_back(sp);
    const std::size_t r = scored_rows[idx];
    std::copy_n(cand.Row(r).begin(), kCmpFieldCount, row.begin());
    result.levels.push_back(row);
    FillTf(tf, l_side.features[sp.a], rs.features[sp.b], row, &freq);
    result.tf.push_back(freq);
  }
  result.model = std::move(model);
  stats.seconds_scoring = Since(t);
  stats.seconds_total = Since(started);
  return result;
}

Result<LinkResult> Run(const Dataset& left, const Dataset* right, const LinkOptions& options) {
  const auto started = Clock::now();
  const bool dedupe = right == nullptr;
  if (left.records.empty() || (!dedupe && right->records.empty())) {
    return InvalidArgumentError("nothing to match: an input has no usable records");
  }
  // A fresh key per run: the encodings of local files are never stored.
  const crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  ExtractorOptions xo;
  xo.mode = options.mode;
  xo.key = &key;
  xo.variants = options.variants;
  Side l_side, r_side;
  KL_RETURN_IF_ERROR(ExtractAll(left, xo, &l_side, options, "features"));
  if (!dedupe) KL_RETURN_IF_ERROR(ExtractAll(*right, xo, &r_side, options, "features"));
  return RunSides(l_side, dedupe ? nullptr : &r_side, options, {}, started, Since(started));
}

}  // namespace

Result<Dataset> ReadDataset(const std::string& path, const formats::Mapping* mapping) {
  Result<std::unique_ptr<formats::RecordReader>> opened =
      formats::RecordReader::Open(path, mapping, record::Kind::kPerson);
  if (!opened.ok()) return opened.status().WithContext(path);
  formats::RecordReader& reader = **opened;
  reader.set_blank_invalid_fields(true);
  Dataset data;
  data.warnings = reader.warnings();
  formats::ReadRow row;
  while (true) {
    KL_ASSIGN_OR_RETURN(bool more, reader.Next(&row));
    if (!more) break;
    if (!row.issues.empty()) {
      ++data.rejected_rows;
      continue;
    }
    data.blanked_fields += row.blanked.size();
    data.ids.push_back(row.record.Has(record::Field::kId) ? row.record.Get(record::Field::kId)
                                                          : "line " + std::to_string(row.line));
    data.records.push_back(std::move(row.record));
  }
  return data;
}

Result<LinkResult> Link(const Dataset& left, const Dataset& right, const LinkOptions& options) {
  return Run(left, &right, options);
}

Result<LinkResult> LinkFeatures(std::vector<Features> left,
                                std::span<const BlockingKeyRow> left_keys,
                                std::vector<Features> right,
                                std::span<const BlockingKeyRow> right_keys,
                                const LinkOptions& options,
                                std::span<const score::RecordPair> extra_candidates) {
  if (left.size() != left_keys.size() || right.size() != right_keys.size()) {
    return InvalidArgumentError("features and blocking keys differ in length");
  }
  for (const score::RecordPair& p : extra_candidates) {
    if (p.a >= left.size() || p.b >= right.size()) {
      return InvalidArgumentError("extra candidate out of range");
    }
  }
  LinkOptions o = options;
  o.mode = Mode::kEncoded;
  Side l, r;
  l.features = std::move(left);
  r.features = std::move(right);
  l.keys.Reserve(l.features.size());
  for (const BlockingKeyRow& row : left_keys) l.keys.Append(row);
  r.keys.Reserve(r.features.size());
  for (const BlockingKeyRow& row : right_keys) r.keys.Append(row);
  return RunSides(l, &r, o, extra_candidates, Clock::now(), 0);
}

Result<LinkResult> Dedupe(const Dataset& data, const LinkOptions& options) {
  LinkOptions o = options;
  o.top_k = 0;
  return Run(data, nullptr, o);
}

std::string ExplainJson(const LinkResult& result, std::size_t pair_index) {
  const LevelRow& l = result.levels[pair_index];
  const score::Explanation e = result.model->Explain(l, result.tf[pair_index]);
  nlohmann::json fields = nlohmann::json::array();
  for (const score::FieldContribution& c : e.fields) {
    fields.push_back({{"field", c.field},
                      {"level", c.level_label},
                      {"weight", std::round(c.weight * 1000) / 1000},
                      {"tf", std::round(c.tf_adjustment * 1000) / 1000}});
  }
  return nlohmann::json{{"prior", std::round(e.prior_weight * 1000) / 1000},
                        {"fields", fields},
                        {"total", std::round(e.total_weight * 1000) / 1000}}
      .dump();
}

}  // namespace kinlink::linkage
