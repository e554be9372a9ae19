#include "score/blocking.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

#include "score/internal/random.h"

namespace kinlink::score {
namespace {

// A capped block: skipped, or sampled with records kept when their hash is
// below `threshold`.
struct Cap {
  bool sampled = false;
  std::uint64_t threshold = 0;
};
using CapTable = std::unordered_map<Key128, Cap, Key128Hash>;

struct Job {
  std::uint32_t rule;
  std::uint32_t left_block;
  std::uint32_t right_block;  // link only
};

struct WorkerState {
  std::vector<RecordPair> buffer;
  std::vector<std::uint64_t> per_rule;
  std::vector<RecordId> kept_left;
  std::vector<RecordId> kept_right;
};

std::uint64_t RateToThreshold(double rate) {
  if (rate >= 1.0) return std::numeric_limits<std::uint64_t>::max();
  const auto t = static_cast<std::uint64_t>(rate * 18446744073709551616.0);
  return std::max<std::uint64_t>(t, 1);
}

class Generator {
 public:
  Generator(const BlockIndex& left, const BlockIndex* right, const CandidateOptions& options)
      : left_(left), right_(right), options_(options), caps_(left.num_rules()) {}

  // Decides the caps of every block and lists the jobs.
  void Plan(CandidateReport& report, std::vector<Job>& jobs) {
    const std::size_t rules = left_.num_rules();
    for (std::size_t r = 0; r < rules; ++r) {
      const auto rule = static_cast<std::uint32_t>(r);
      if (right_ == nullptr) {
        for (std::size_t b = 0; b < left_.num_blocks(r); ++b) {
          const std::uint64_t n = left_.Block(r, b).size();
          if (n < 2) continue;
          if (!CheckCap(r, b, left_.BlockKey(r, b), n, 0, report)) continue;
          jobs.push_back({rule, static_cast<std::uint32_t>(b), 0});
        }
        continue;
      }
      // Link: merge-join the two sides' blocks, both in key order.
      std::size_t lb = 0;
      std::size_t rb = 0;
      while (lb < left_.num_blocks(r) && rb < right_->num_blocks(r)) {
        const Key128& lk = left_.BlockKey(r, lb);
        const Key128& rk = right_->BlockKey(r, rb);
        if (lk < rk) {
          ++lb;
        } else if (rk < lk) {
          ++rb;
        } else {
          if (CheckCap(r, lb, lk, left_.Block(r, lb).size(), right_->Block(r, rb).size(),
                       report)) {
            jobs.push_back(
                {rule, static_cast<std::uint32_t>(lb), static_cast<std::uint32_t>(rb)});
          }
          ++lb;
          ++rb;
        }
      }
    }
  }

  // Produces the pairs of one job into the worker's buffer, flushing full
  // batches to the sink.
  Status RunJob(const Job& job, WorkerState& w) const {
    const std::size_t r = job.rule;
    const auto lblock = left_.Block(r, job.left_block);
    const Key128& key = left_.BlockKey(r, job.left_block);
    const Cap* cap = FindCap(r, key);
    Filter(lblock, r, 0, cap, w.kept_left);
    if (right_ == nullptr) {
      const auto& k = w.kept_left;
      for (std::size_t i = 0; i + 1 < k.size(); ++i) {
        for (std::size_t j = i + 1; j < k.size(); ++j) {
          KL_RETURN_IF_ERROR(Emit(r, k[i], k[j], w));
        }
      }
      return OkStatus();
    }
    Filter(right_->Block(r, job.right_block), r, 1, cap, w.kept_right);
    for (RecordId a : w.kept_left) {
      for (RecordId b : w.kept_right) KL_RETURN_IF_ERROR(Emit(r, a, b, w));
    }
    return OkStatus();
  }

  Status Flush(WorkerState& w) const {
    if (w.buffer.empty()) return OkStatus();
    Status s = sink_(w.buffer);
    w.buffer.clear();
    return s;
  }

  void set_sink(const PairSink* sink) { sink_ = *sink; }

 private:
  // Returns false when the block is skipped; records a capped block.
  bool CheckCap(std::size_t r, std::size_t b, const Key128& key, std::uint64_t nl,
                std::uint64_t nr, CandidateReport& report) {
    const bool link = right_ != nullptr;
    const std::uint64_t records = nl + nr;
    const double pairs = link ? static_cast<double>(nl) * static_cast<double>(nr)
                              : static_cast<double>(nl) * static_cast<double>(nl - 1) / 2.0;
    const bool over_records = options_.max_block_records != 0 && records > options_.max_block_records;
    const bool over_pairs =
        options_.max_block_pairs != 0 && pairs > static_cast<double>(options_.max_block_pairs);
    if (!over_records && !over_pairs) return true;
    CappedBlock cb;
    cb.rule = r;
    cb.block = b;
    cb.left_records = nl;
    cb.right_records = nr;
    cb.pairs = static_cast<std::uint64_t>(pairs);
    cb.sampled = options_.cap_policy == CapPolicy::kSample;
    report.capped.push_back(cb);
    Cap cap;
    cap.sampled = cb.sampled;
    if (cap.sampled) {
      // Keep each record with probability `rate`: expected kept records and
      // expected kept pairs then fit both caps.
      double rate = 1.0;
      if (options_.max_block_records != 0) {
        rate = std::min(rate, static_cast<double>(options_.max_block_records) /
                                  static_cast<double>(records));
      }
      if (options_.max_block_pairs != 0) {
        rate = std::min(rate, std::sqrt(static_cast<double>(options_.max_block_pairs) / pairs));
      }
      cap.threshold = RateToThreshold(rate);
    }
    caps_[r][key] = cap;
    return cap.sampled;
  }

  const Cap* FindCap(std::size_t r, const Key128& key) const {
    const CapTable& t = caps_[r];
    if (t.empty()) return nullptr;
    auto it = t.find(key);
    return it == t.end() ? nullptr : &it->second;
  }

  bool Kept(std::size_t r, std::uint64_t side, RecordId id, const Cap& cap) const {
    const std::uint64_t h = internal::Mix64(
        options_.seed ^ internal::Mix64((static_cast<std::uint64_t>(r) << 33) | (side << 32) | id));
    return h < cap.threshold;
  }

  void Filter(std::span<const RecordId> block, std::size_t r, std::uint64_t side, const Cap* cap,
              std::vector<RecordId>& out) const {
    out.clear();
    for (RecordId id : block) {
      if (cap == nullptr || Kept(r, side, id, *cap)) out.push_back(id);
    }
  }

  // Whether rule r produces the pair (a, b) (they share its key and its
  // block was not capped away).
  bool Covered(std::size_t r, RecordId a, RecordId b) const {
    const Key128& ka = left_.keys().Key(a, r);
    const Key128& kb = (right_ != nullptr ? *right_ : left_).keys().Key(b, r);
    if (ka.empty() || ka != kb) return false;
    const Cap* cap = FindCap(r, ka);
    if (cap == nullptr) return true;
    return cap->sampled && Kept(r, 0, a, *cap) && Kept(r, right_ != nullptr ? 1 : 0, b, *cap);
  }

  Status Emit(std::size_t r, RecordId a, RecordId b, WorkerState& w) const {
    for (std::size_t earlier = 0; earlier < r; ++earlier) {
      if (Covered(earlier, a, b)) return OkStatus();
    }
    w.buffer.push_back({a, b});
    ++w.per_rule[r];
    if (w.buffer.size() >= options_.batch_size) return Flush(w);
    return OkStatus();
  }

  const BlockIndex& left_;
  const BlockIndex* right_;
  const CandidateOptions& options_;
  std::vector<CapTable> caps_;
  PairSink sink_;
};

Result<CandidateReport> Generate(const BlockIndex& left, const BlockIndex* right,
                                 const CandidateOptions& options, const PairSink& sink) {
  if (options.batch_size < 1 || options.num_threads < 1 || options.num_threads > 256) {
    return InvalidArgumentError("candidates: batch_size >= 1 and num_threads in [1, 256]");
  }
  if (!sink) return InvalidArgumentError("candidates: no sink");
  if (right != nullptr && right->num_rules() != left.num_rules()) {
    return InvalidArgumentError("link candidates: left has " + std::to_string(left.num_rules()) +
                                " rules, right has " + std::to_string(right->num_rules()));
  }
  Generator gen(left, right, options);
  gen.set_sink(&sink);
  CandidateReport report;
  report.pairs_per_rule.assign(left.num_rules(), 0);
  std::vector<Job> jobs;
  gen.Plan(report, jobs);

  const auto workers = static_cast<std::size_t>(options.num_threads);
  std::vector<WorkerState> states(workers);
  for (WorkerState& w : states) w.per_rule.assign(left.num_rules(), 0);

  if (workers == 1) {
    for (const Job& job : jobs) KL_RETURN_IF_ERROR(gen.RunJob(job, states[0]));
    KL_RETURN_IF_ERROR(gen.Flush(states[0]));
  } else {
    // Workers take chunks of consecutive jobs (disjoint blocks) from a
    // shared counter; the first error stops everyone.
    constexpr std::size_t kChunk = 16;
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex error_mu;
    Status first_error;
    auto work = [&](WorkerState& w) {
      Status s;
      try {
        while (s.ok() && !stop.load(std::memory_order_relaxed)) {
          const std::size_t begin = next.fetch_add(kChunk);
          if (begin >= jobs.size()) break;
          const std::size_t end = std::min(begin + kChunk, jobs.size());
          for (std::size_t j = begin; j < end && s.ok(); ++j) s = gen.RunJob(jobs[j], w);
        }
        if (s.ok() && !stop.load()) s = gen.Flush(w);
      } catch (const std::exception&) {
        // A thread entry point: an exception from the sink must not
        // terminate the process.
        s = InternalError("candidates: exception in pair sink");
      }
      if (!s.ok()) {
        stop.store(true);
        std::lock_guard<std::mutex> lock(error_mu);
        if (first_error.ok()) first_error = s;
      }
    };
    std::vector<std::thread> threads;
    threads.reserve(workers);
    for (std::size_t t = 0; t < workers; ++t) threads.emplace_back(work, std::ref(states[t]));
    for (std::thread& t : threads) t.join();
    KL_RETURN_IF_ERROR(first_error);
  }
  for (const WorkerState& w : states) {
    for (std::size_t r = 0; r < w.per_rule.size(); ++r) report.pairs_per_rule[r] += w.per_rule[r];
  }
  for (std::uint64_t p : report.pairs_per_rule) report.pairs += p;
  return report;
}

Result<std::vector<RecordPair>> Collect(const BlockIndex& left, const BlockIndex* right,
                                        const CandidateOptions& options,
                                        CandidateReport* report) {
  std::vector<RecordPair> pairs;
  std::mutex mu;
  PairSink sink = [&](std::span<const RecordPair> batch) {
    std::lock_guard<std::mutex> lock(mu);
    pairs.insert(pairs.end(), batch.begin(), batch.end());
    return OkStatus();
  };
  KL_ASSIGN_OR_RETURN(CandidateReport rep, Generate(left, right, options, sink));
  if (report != nullptr) *report = std::move(rep);
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

}  // namespace

Result<BlockIndex> BlockIndex::Build(BlockingKeys keys) {
  const std::size_t rules = keys.num_rules();
  if (rules == 0 || rules > kMaxBlockingRules) {
    return InvalidArgumentError("blocking: number of rules must be in [1, " +
                                std::to_string(kMaxBlockingRules) + "]");
  }
  const std::size_t n = keys.num_records();
  if (n >= std::numeric_limits<RecordId>::max()) {
    return InvalidArgumentError("blocking: too many records for 32-bit record ids");
  }
  BlockIndex index(std::move(keys));
  index.rules_.resize(rules);
  for (std::size_t r = 0; r < rules; ++r) {
    Rule& rule = index.rules_[r];
    const BlockingKeys& k = index.keys_;
    for (std::size_t i = 0; i < n; ++i) {
      const auto id = static_cast<RecordId>(i);
      if (k.Key(id, r).empty()) {
        ++rule.empty_keys;
      } else {
        rule.order.push_back(id);
      }
    }
    // Sort by (key, id): blocks become runs, records ascending in each.
    std::sort(rule.order.begin(), rule.order.end(), [&](RecordId a, RecordId b) {
      const Key128& ka = k.Key(a, r);
      const Key128& kb = k.Key(b, r);
      return ka != kb ? ka < kb : a < b;
    });
    rule.starts.push_back(0);
    for (std::size_t i = 1; i < rule.order.size(); ++i) {
      if (k.Key(rule.order[i], r) != k.Key(rule.order[i - 1], r)) {
        rule.starts.push_back(static_cast<std::uint32_t>(i));
      }
    }
    if (!rule.order.empty()) {
      rule.starts.push_back(static_cast<std::uint32_t>(rule.order.size()));
    }
    rule.order.shrink_to_fit();
  }
  return index;
}

std::span<const RecordId> BlockIndex::Block(std::size_t rule, std::size_t block) const {
  const Rule& r = rules_[rule];
  return std::span<const RecordId>(r.order).subspan(r.starts[block],
                                                    r.starts[block + 1] - r.starts[block]);
}

Result<CandidateReport> GenerateDedupeCandidates(const BlockIndex& index,
                                                 const CandidateOptions& options,
                                                 const PairSink& sink) {
  return Generate(index, nullptr, options, sink);
}

Result<CandidateReport> GenerateLinkCandidates(const BlockIndex& left, const BlockIndex& right,
                                               const CandidateOptions& options,
                                               const PairSink& sink) {
  return Generate(left, &right, options, sink);
}

Result<std::vector<RecordPair>> CollectDedupeCandidates(const BlockIndex& index,
                                                        const CandidateOptions& options,
                                                        CandidateReport* report) {
  return Collect(index, nullptr, options, report);
}

Result<std::vector<RecordPair>> CollectLinkCandidates(const BlockIndex& left,
                                                      const BlockIndex& right,
                                                      const CandidateOptions& options,
                                                      CandidateReport* report) {
  return Collect(left, &right, options, report);
}

}  // namespace kinlink::score
