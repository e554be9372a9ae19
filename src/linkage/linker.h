// The `link` and `dedupe` pipelines on local files: read (lenient), extract
// features, block, compare, estimate the Fellegi–Sunter model without
// labels (u from random pairs, m and λ by EM, term frequencies of names
// from the data), score, and select pairs or clusters.
//
// Thread-safety: functions are independent; each call uses its own state.
#ifndef KINLINK_LINKAGE_LINKER_H_
#define KINLINK_LINKAGE_LINKER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "formats/mapping.h"
#include "formats/record_reader.h"
#include "linkage/compare.h"
#include "linkage/features.h"
#include "record/record.h"
#include "score/blocking.h"
#include "score/model.h"

namespace kinlink::linkage {

// Records of one input file. Rows that are malformed as CSV are left out
// (counted); invalid field values are blanked (lenient reading).
struct Dataset {
  std::vector<record::Record> records;
  std::vector<std::string> ids;  // the `id` column, or "line N" when empty
  std::uint64_t rejected_rows = 0;
  std::uint64_t blanked_fields = 0;
  std::vector<std::string> warnings;
};

// INVALID_ARGUMENT for file-level problems (empty file, no name column,
// mapping naming a missing column), with the path in the message.
Result<Dataset> ReadDataset(const std::string& path, const formats::Mapping* mapping);

struct LinkOptions {
  Mode mode = Mode::kEncoded;
  // Pairs with a match probability at or above this are reported (ignored
  // with top_k > 0 for link). 0.99: the operating threshold measured by the
  // quality benchmark (clusters chain false links at lower ones).
  double threshold = 0.99;
  // Link only: report the top K candidates per left record instead.
  int top_k = 0;
  CompareThresholds thresholds;
  // Blocks over 300 records (one common name in one town, say) are skipped
  // and reported: they carry little evidence and most of the cost; measured
  // on FEBRL, historical_50k and 1,000,000 synthetic records.
  score::CandidateOptions blocking = [] {
    score::CandidateOptions o;
    o.max_block_records = 300;
    return o;
  }();
  std::size_t random_pairs = 200'000;  // for u
  // Floor on every non-missing m after EM (see SmoothM in linker.cc).
  double m_floor = 0.01;
  // m of "given names differ outright" (0 = learn it by EM).
  double m_given_different = 0.01;
  std::uint64_t seed = 20261128;
  const text::NameVariants* variants = nullptr;
  // Called with a stage name and a fraction done (0..1), for progress bars.
  std::function<void(std::string_view, double)> progress;
};

struct ScoredPair {
  std::uint32_t a = 0;  // index into the left (or only) dataset
  std::uint32_t b = 0;  // index into the right dataset (dedupe: same, a < b)
  double weight = 0;
  double probability = 0;
};

struct LinkStats {
  std::uint64_t left_records = 0;
  std::uint64_t right_records = 0;
  std::uint64_t candidates = 0;
  std::vector<std::uint64_t> candidates_per_rule;
  std::uint64_t capped_blocks = 0;
  int em_iterations = 0;
  bool em_converged = false;
  double lambda = 0;
  double seconds_features = 0;
  double seconds_blocking = 0;
  double seconds_scoring = 0;  // compare + model + score
  double seconds_compare = 0;
  double seconds_model = 0;
  double seconds_total = 0;
};

struct LinkResult {
  std::vector<ScoredPair> pairs;  // selected, sorted by (a, -probability, b)
  std::vector<LevelRow> levels;   // comparison levels of each selected pair
  std::vector<std::array<double, kCmpFieldCount>> tf;  // term frequencies used
  std::optional<score::FellegiSunterModel> model;
  LinkStats stats;
  // All candidate pairs (before selection), for evaluation of blocking.
  std::vector<score::RecordPair> candidates;
};

Result<LinkResult> Link(const Dataset& left, const Dataset& right, const LinkOptions& options);
Result<LinkResult> Dedupe(const Dataset& data, const LinkOptions& options);

// Link over encoded features extracted elsewhere (e.g. read from two .kle
// files of docs/pprl.md, extracted under one key and one schema): the
// blocking, comparison, model and selection of Link in encoded mode
// (options.mode is ignored). `extra_candidates` (indices into left and
// right; may be empty) are compared besides the blocking candidates.
// INVALID_ARGUMENT when a features vector and its keys differ in length, an
// extra candidate is out of range, or an input is empty.
Result<LinkResult> LinkFeatures(std::vector<Features> left,
                                std::span<const BlockingKeyRow> left_keys,
                                std::vector<Features> right,
                                std::span<const BlockingKeyRow> right_keys,
                                const LinkOptions& options,
                                std::span<const score::RecordPair> extra_candidates = {});

// The explanation of one selected pair (a waterfall of field weights) as
// JSON text, for `--explain`.
std::string ExplainJson(const LinkResult& result, std::size_t pair_index);

}  // namespace kinlink::linkage

#endif  // KINLINK_LINKAGE_LINKER_H_
