// pprl: cross-organisation linkage without sharing data (docs/pprl.md).
//
//  * EncodeDataset: an organisation turns its records into a `.kle` file
//    (kle.h) under the linkage key it shares with its partner: keyed
//    tokens, field-level Bloom filters (linkage::FeatureExtractor, with the
//    schema's hardening), keyed blocking keys and a whole-record filter;
//    each record is named by a random reference, whose mapping to the
//    source id stays with the owner.
//  * LinkKle: whoever holds two `.kle` files (a hub, without the key)
//    finds the pairs describing the same person, either with the
//    Fellegi–Sunter model over the encoded fields (the engine of
//    `kinlink link`, model estimated without labels) or by plain Dice of
//    the whole-record filters. Candidates: the keyed blocking keys plus
//    record-filter Dice over a popcount length filter.
//
// Thread-safety: functions are independent and use their own threads.
//
//   pprl::EncodeOptions eo;
//   std::vector<pprl::RefIndex> refs;
//   KL_RETURN_IF_ERROR(pprl::EncodeDataset(data, key, eo, out, &refs).status());
//   KL_ASSIGN_OR_RETURN(pprl::LinkKleResult r, pprl::LinkKle(std::move(a), std::move(b), {}));
#ifndef KINLINK_PPRL_PPRL_H_
#define KINLINK_PPRL_PPRL_H_

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "common/result.h"
#include "crypto/crypto.h"
#include "linkage/linker.h"
#include "pprl/kle.h"
#include "text/name_variants.h"

namespace kinlink::pprl {

// The default hardening of `kinlink encode` (docs/pprl.md: what it costs).
linkage::BloomHardening DefaultHardening();

struct EncodeOptions {
  Schema schema;  // hardening and name-variant table id
  // The name-variant table the schema names (not owned; may be null).
  const text::NameVariants* variants = nullptr;
  int threads = 0;  // 0: one per hardware thread (at most 64)
  // Records extracted per step (while the previous step is written).
  std::size_t chunk_records = 1 << 15;
  // The references of the records, by index into the dataset (not owned;
  // null: random ones). A node that keeps its references before uploading
  // (engine::Node's hub link) re-encodes a batch under the same references
  // when an upload's outcome is unknown, so that the hub can tell a repeat.
  // INVALID_ARGUMENT unless it has one per record.
  const std::vector<RecordRef>* refs = nullptr;
  // Called with the records done and the total, for progress bars.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
};

// A record's reference and its index in the encoded Dataset.
struct RefIndex {
  RecordRef ref;
  std::uint32_t index = 0;
};

struct EncodeStats {
  std::uint64_t records = 0;
  int threads = 0;
  double seconds_encode = 0;  // wall: extraction, serialisation and writing
  // CPU time of the process meanwhile (all threads): records per CPU
  // second is the per-core rate, whatever else shares the machine.
  double cpu_seconds_encode = 0;
};

// Encodes `data` under `linkage_key` (kKeyBytes) into `out`, records in a
// random order with random references; appends each record's (ref, index
// into data) to `refs` in file order. INVALID_ARGUMENT for an empty
// dataset, one over kMaxKleRecords or a wrong key length; INTERNAL when
// writing fails.
Result<EncodeStats> EncodeDataset(const linkage::Dataset& data,
                                  const crypto::SecretBytes& linkage_key,
                                  const EncodeOptions& options, std::ostream& out,
                                  std::vector<RefIndex>* refs);

// Lower-case hex of a reference (32 characters).
std::string RefHex(const RecordRef& ref);

enum class LinkMode : std::uint8_t { kFellegiSunter, kDice };

// The default Dice threshold (dice mode) and candidate floor (fs mode) of
// a schema: folded filters score true pairs lower (two set positions that
// land on one output bit cancel), so their default is lower. Measured on
// FEBRL4 (docs/pprl.md).
double DefaultDice(const Schema& schema);

struct LinkKleOptions {
  LinkMode mode = LinkMode::kFellegiSunter;
  // Pairs scoring at or above this are reported: the match probability
  // (fs; default 0.99, as `kinlink link`) or the record-filter Dice
  // (dice; default kDefaultDice). Negative: the mode's default.
  double threshold = -1;
  int top_k = 0;            // the K best per left record instead (fs: as link)
  bool one_to_one = false;  // then greedy 1:1 assignment, best score first
  // Record-filter Dice from which a pair is a candidate besides the
  // blocking keys (fs), and how many such candidates per left record.
  // Negative: kDefaultDice.
  double candidate_dice = -1;
  int candidate_top = 5;
  linkage::LinkOptions link;  // blocking cap, thresholds, EM (fs)
  int threads = 0;
};

struct KlePair {
  std::uint32_t a = 0;  // index into the left file
  std::uint32_t b = 0;  // index into the right file
  double score = 0;     // probability (fs) or Dice (dice)
  double weight = 0;    // match weight (fs only)
};

struct LinkKleStats {
  std::uint64_t left_records = 0;
  std::uint64_t right_records = 0;
  std::uint64_t dice_comparisons = 0;  // after the length filter
  std::uint64_t dice_candidates = 0;
  std::uint64_t candidates = 0;  // compared by the model (fs)
  double seconds_candidates = 0;
  double seconds_total = 0;
  linkage::LinkStats link;  // fs only
};

struct LinkKleResult {
  std::vector<KlePair> pairs;  // sorted by (a, -score, b)
  LinkKleStats stats;
};

// Links two files. FAILED_PRECONDITION when they are not comparable
// (CheckComparable); INVALID_ARGUMENT when one is empty.
Result<LinkKleResult> LinkKle(KleFile left, KleFile right, const LinkKleOptions& options);

// Greedy one-to-one assignment: best score first, each record used once.
// Result sorted by (a, -score, b).
std::vector<KlePair> OneToOne(std::vector<KlePair> pairs);

}  // namespace kinlink::pprl

#endif  // KINLINK_PPRL_PPRL_H_
