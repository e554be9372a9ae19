// Matching inside the registry: every imported record's encodings and
// blocking tokens, potential matches between requests and persons, search
// and the review queue. Only keyed encodings are compared; a record is
// decrypted only to show its name, and that is audited first.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <span>
#include <thread>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "engine/internal/codec.h"
#include "engine/internal/matcher.h"
#include "engine/registry.h"
#include "linkage/encoded_io.h"

namespace kinlink::engine {

namespace {

// Records read per blocking token: bounds the work of one comparison run
// (a very common key is a weak key anyway).
constexpr std::int64_t kImportTokenLimit = 200;
constexpr std::int64_t kSearchTokenLimit = 1000;

struct Candidate {
  std::int64_t id = 0;
  record::Kind kind = record::Kind::kPerson;
  double weight = 0;
  linkage::LevelRow levels{};
};

record::Kind OtherKind(record::Kind k) {
  return k == record::Kind::kPerson ? record::Kind::kRequest : record::Kind::kPerson;
}

double Round3(double v) { return std::round(v * 1000) / 1000; }

}  // namespace

std::string DisplayName(const record::Record& r) {
  if (r.Has(record::Field::kFullName)) return r.Get(record::Field::kFullName);
  std::string name = r.Get(record::Field::kGivenName);
  if (r.Has(record::Field::kFamilyName)) {
    if (!name.empty()) name += ' ';
    name += r.Get(record::Field::kFamilyName);
  }
  return name;
}

namespace {

// Compares `f` with the records holding `tokens` (of `kind` when given),
// skipping `seen` ones, and appends the scored candidates.
Status ScoreThrough(store::Store& store, internal::Matcher& m, const linkage::Features& f,
                    const std::vector<std::string>& tokens, std::optional<record::Kind> kind,
                    std::int64_t per_token, std::unordered_set<std::int64_t>& seen,
                    std::vector<Candidate>* out) {
  for (const std::string& token : tokens) {
    KL_ASSIGN_OR_RETURN(std::vector<std::int64_t> ids, store.FindByBlockingToken(token, per_token));
    for (std::int64_t id : ids) {
      if (!seen.insert(id).second) continue;
      KL_ASSIGN_OR_RETURN(std::optional<store::EncodingRow> enc, store.GetEncoding(id));
      if (!enc) continue;
      if (kind && enc->kind != static_cast<std::uint8_t>(*kind)) continue;
      Result<linkage::Features> other = linkage::ParseEncoded(enc->blob);
      if (!other.ok()) {
        return other.status().WithContext("the encoding of record " + FormatRegistryId(id));
      }
      Candidate c;
      c.id = id;
      c.kind = static_cast<record::Kind>(enc->kind);
      linkage::Compare(f, *other, linkage::Mode::kEncoded, m.thresholds, &c.levels);
      c.weight = m.model.Weight(c.levels);
      out->push_back(c);
    }
  }
  return OkStatus();
}

// The registry's feature extractor: encoded mode under the token key.
Result<std::unique_ptr<linkage::FeatureExtractor>> NewExtractor(const crypto::SecretBytes& key) {
  linkage::ExtractorOptions options;
  options.mode = linkage::Mode::kEncoded;
  options.key = &key;
  options.today_days = static_cast<std::int64_t>(std::time(nullptr)) / 86400;
  return linkage::FeatureExtractor::Create(options);
}

void SortByWeight(std::vector<Candidate>& c) {
  std::sort(c.begin(), c.end(), [](const Candidate& a, const Candidate& b) {
    return a.weight != b.weight ? a.weight > b.weight : a.id < b.id;
  });
}

}  // namespace

std::optional<store::MatchStatus> ParseMatchStatus(std::string_view text) {
  if (text == "potential") return store::MatchStatus::kPotential;
  if (text == "confirmed") return store::MatchStatus::kConfirmed;
  if (text == "rejected") return store::MatchStatus::kRejected;
  if (text == "proposed") return store::MatchStatus::kProposed;
  return std::nullopt;
}

std::string_view MatchStatusName(store::MatchStatus status) {
  switch (status) {
    case store::MatchStatus::kPotential:
      return "potential";
    case store::MatchStatus::kConfirmed:
      return "confirmed";
    case store::MatchStatus::kRejected:
      return "rejected";
    case store::MatchStatus::kProposed:
      return "proposed";
  }
  return "unknown";
}

std::string ExplanationJson(const score::Explanation& e) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::array();
  for (const score::FieldContribution& c : e.fields) {
    nlohmann::ordered_json f = {{"field", c.field},
                                {"level", c.level},
                                {"label", c.level_label},
                                {"missing", c.missing},
                                {"weight", Round3(c.weight)}};
    // An agreement set aside because a correlated field already counted.
    if (c.grouped) f["grouped"] = true;
    fields.push_back(std::move(f));
  }
  nlohmann::ordered_json j = {{"prior", Round3(e.prior_weight)},
                              {"fields", std::move(fields)},
                              {"weight", Round3(e.total_weight)},
                              {"probability", Round3(e.probability)}};
  return j.dump();
}

Status Registry::EnsureMatcher() {
  if (matcher_) return OkStatus();
  KL_ASSIGN_OR_RETURN(std::optional<std::string> stored, store_->GetMeta(kMetaMatchModel));
  Result<score::FellegiSunterModel> model =
      score::FellegiSunterModel::FromJson(stored ? std::string_view(*stored) : DefaultModelJson());
  if (!model.ok()) {
    return model.status().WithContext(stored ? "the registry's matching model"
                                             : "the default matching model");
  }
  if (model->num_fields() != linkage::kCmpFieldCount) {
    return FailedPreconditionError("the matching model does not fit the comparison (" +
                                   std::to_string(model->num_fields()) + " fields)");
  }
  KL_ASSIGN_OR_RETURN(std::unique_ptr<linkage::FeatureExtractor> extractor,
                      NewExtractor(token_key_));
  matcher_ = std::make_unique<internal::Matcher>(
      internal::Matcher{std::move(extractor), std::move(model).value(), {}, {}});
  return OkStatus();
}

namespace {

Result<std::int64_t> IndexNext(store::Store& store) {
  KL_ASSIGN_OR_RETURN(std::optional<std::string> v, store.GetMeta(internal::kMetaIndexNext));
  if (!v) return internal::NextRecordId(store);
  try {
    return static_cast<std::int64_t>(std::stoll(*v));
  } catch (const std::exception&) {
    return DataLossError("the registry's index position is not a number");
  }
}

// One record of an index batch, filled by a worker.
struct Pending {
  std::int64_t id = 0;
  record::Kind kind = record::Kind::kPerson;
  bool present = false;  // false: erased (or absent), nothing to index
  linkage::Features features;
  linkage::BlockingKeyRow keys{};
  Status status;
};

// Matches an indexed record against the indexed records of the other kind
// and stores the potential matches. Returns how many.
Result<std::int64_t> MatchIndexed(store::Store& store, internal::Matcher& m, const Pending& p,
                                  std::int64_t now) {
  // Matching uses the linkage rules and the combined-name rule, not the
  // single-name ones (too weak to pair records on their own).
  const std::vector<std::string> probe =
      internal::BlockingTokens(p.features, p.keys, 0, internal::kRuleGivenFamilySkeleton + 1);
  std::unordered_set<std::int64_t> seen{p.id};
  std::vector<Candidate> found;
  KL_RETURN_IF_ERROR(ScoreThrough(store, m, p.features, probe, OtherKind(p.kind),
                                  kImportTokenLimit, seen, &found));
  SortByWeight(found);
  std::int64_t stored = 0;
  for (const Candidate& c : found) {
    if (stored >= kMaxStoredMatchesPerRecord) break;
    const double prob = score::WeightToProbability(c.weight);
    if (prob < kStoredMatchThreshold) break;
    store::MatchRow row;
    row.request_id = p.kind == record::Kind::kRequest ? p.id : c.id;
    row.person_id = p.kind == record::Kind::kRequest ? c.id : p.id;
    row.probability = prob;
    row.weight = c.weight;
    row.explanation = ExplanationJson(m.model.Explain(c.levels));
    row.created_at = now;
    KL_RETURN_IF_ERROR(store.PutMatch(row).status());
    ++stored;
  }
  return stored;
}

}  // namespace

Result<std::int64_t> Registry::PendingIndexCount() {
  KL_ASSIGN_OR_RETURN(const std::int64_t from, IndexNext(*store_));
  KL_ASSIGN_OR_RETURN(const std::int64_t to, internal::NextRecordId(*store_));
  return std::max<std::int64_t>(0, to - from);
}

Result<IndexSummary> Registry::IndexPending(const ProgressFn& progress) {
  const auto started = std::chrono::steady_clock::now();
  IndexSummary summary;
  KL_ASSIGN_OR_RETURN(std::int64_t from, IndexNext(*store_));
  KL_ASSIGN_OR_RETURN(const std::int64_t to, internal::NextRecordId(*store_));
  if (from >= to) return summary;
  KL_RETURN_IF_ERROR(EnsureMatcher());
  internal::Matcher& m = *matcher_;

  // Extraction is the costly part: one extractor per thread (ICU
  // transliterators are not thread-safe), decryption with a scratch key of
  // the thread's own.
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const int workers = static_cast<int>(std::min(2u, hw));
  while (static_cast<int>(m.helpers.size()) + 1 < workers) {
    KL_ASSIGN_OR_RETURN(std::unique_ptr<linkage::FeatureExtractor> extra,
                        NewExtractor(token_key_));
    m.helpers.push_back(std::move(extra));
  }
  auto extractor_of = [&](int w) -> linkage::FeatureExtractor& {
    return w == 0 ? *m.extractor : *m.helpers[static_cast<std::size_t>(w - 1)];
  };

  // Records of a kind meet only the other kind: nothing to match while one
  // kind is absent. Counted once, not per batch (each count scans the
  // records table).
  store::RecordFilter person_filter;
  person_filter.kind = static_cast<std::uint8_t>(record::Kind::kPerson);
  store::RecordFilter request_filter;
  request_filter.kind = static_cast<std::uint8_t>(record::Kind::kRequest);
  KL_ASSIGN_OR_RETURN(const std::int64_t all_persons, store_->CountRecords(person_filter));
  KL_ASSIGN_OR_RETURN(const std::int64_t all_requests, store_->CountRecords(request_filter));
  const bool both_kinds = all_persons > 0 && all_requests > 0;

  std::vector<Pending> batch;
  std::vector<store::RecordRow> rows;
  const std::int64_t total = to - from;
  while (from < to) {
    const std::int64_t hi = std::min(to, from + kIndexBatchRecords);
    rows.clear();
    for (std::int64_t id = from; id < hi; ++id) {
      Result<store::RecordRow> row = store_->GetRecord(id);
      if (!row.ok()) {
        if (row.status().code() == StatusCode::kNotFound) continue;
        return row.status();
      }
      if (row->wrapped_key) rows.push_back(std::move(*row));
    }
    batch.assign(rows.size(), Pending{});
    auto work = [&](int w) {
      crypto::SecretBytes key(crypto::kKeyBytes);
      for (std::size_t i = static_cast<std::size_t>(w); i < rows.size();
           i += static_cast<std::size_t>(workers)) {
        const store::RecordRow& row = rows[i];
        Pending& p = batch[i];
        p.id = row.id;
        p.kind = static_cast<record::Kind>(row.kind);
        Status s = crypto::OpenSecretInto(record_wrap_key_, *row.wrapped_key,
                                          internal::DataKeyAd(row.id), key);
        if (!s.ok()) {
          p.status = s.WithContext("the data key of record " + FormatRegistryId(row.id) +
                                   " does not open (altered or moved)");
          continue;
        }
        Result<std::string> payload =
            crypto::Open(key, row.sealed, internal::RecordAd(row.id, row.version));
        if (!payload.ok()) {
          p.status = payload.status().WithContext("record " + FormatRegistryId(row.id) +
                                                  " does not open with its key (altered or moved)");
          continue;
        }
        Result<record::Record> rec = record::Deserialize(*payload);
        crypto::Wipe(*payload);
        if (!rec.ok()) {
          p.status = rec.status().WithContext("record " + FormatRegistryId(row.id));
          continue;
        }
        rec->set_kind(p.kind);
        extractor_of(w).Extract(*rec, &p.features, &p.keys);
        p.present = true;
      }
    };
    {
      std::vector<std::thread> threads;
      for (int w = 1; w < workers; ++w) threads.emplace_back(work, w);
      work(0);
      for (std::thread& t : threads) t.join();
    }
    for (const Pending& p : batch) KL_RETURN_IF_ERROR(p.status);

    // Audited with the batch (ids and counts only).
    std::vector<std::int64_t> ids;
    for (const Pending& p : batch) ids.push_back(p.id);
    const std::int64_t now = std::time(nullptr);
    KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*store_));
    // Another process may have indexed this batch meanwhile: then go on from
    // where it got to (its work stands; this batch's is dropped).
    KL_ASSIGN_OR_RETURN(const std::int64_t now_next, IndexNext(*store_));
    if (now_next != from) {
      from = std::max(from, now_next);
      continue;
    }
    // Tokens go in sorted order: neighbouring B-tree pages, far fewer page
    // writes than record order.
    std::vector<std::pair<std::string, std::int64_t>> tokens;
    for (const Pending& p : batch) {
      KL_RETURN_IF_ERROR(store_->PutEncoding(p.id, static_cast<std::uint8_t>(p.kind),
                                             linkage::SerializeEncoded(p.features)));
      for (std::string& t : internal::BlockingTokens(p.features, p.keys, 0, internal::kRuleCount)) {
        tokens.emplace_back(std::move(t), p.id);
      }
    }
    std::sort(tokens.begin(), tokens.end());
    for (const auto& [token, id] : tokens) {
      KL_RETURN_IF_ERROR(store_->AddBlockingTokens(id, std::span<const std::string>(&token, 1)));
    }
    // Each pair is found once: by whichever of the two is indexed later.
    std::int64_t matched = 0;
    if (both_kinds) {
      for (const Pending& p : batch) {
        KL_ASSIGN_OR_RETURN(std::int64_t n, MatchIndexed(*store_, m, p, now));
        matched += n;
      }
    }
    KL_RETURN_IF_ERROR(store_->SetMeta(internal::kMetaIndexNext, std::to_string(hi)));
    KL_RETURN_IF_ERROR(audit_->AppendIdList(actor_, "index", CompressIdRanges(ids),
                                      R"({"records":)" + std::to_string(ids.size()) +
                                          R"(,"potential_matches":)" + std::to_string(matched) +
                                          "}"));
    KL_RETURN_IF_ERROR(txn.Commit());
    summary.indexed += static_cast<std::int64_t>(batch.size());
    summary.potential_matches += matched;
    if (progress) {
      progress({static_cast<std::uint64_t>(total - (to - hi)), static_cast<std::uint64_t>(total),
                static_cast<std::uint64_t>(summary.indexed), true});
    }
    from = hi;
  }
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

Result<std::vector<SearchHit>> Registry::Rank(const SearchQuery& query) {
  if (query.top < 1 || query.top > 1000) {
    return InvalidArgumentError("--top must be between 1 and 1000");
  }
  KL_RETURN_IF_ERROR(IndexPending(nullptr).status());
  KL_RETURN_IF_ERROR(EnsureMatcher());
  internal::Matcher& m = *matcher_;
  linkage::Features f;
  linkage::BlockingKeyRow keys{};
  m.extractor->Extract(query.record, &f, &keys);
  if (!f.given.present && !f.family.present && !f.father.present) {
    return InvalidArgumentError("a search needs a name (--name, --given or --family)");
  }
  std::unordered_set<std::int64_t> seen;
  std::vector<Candidate> found;
  KL_RETURN_IF_ERROR(ScoreThrough(
      *store_, m, f, internal::BlockingTokens(f, keys, 0, internal::kRuleGivenFamilySkeleton + 1),
      query.kind, kSearchTokenLimit, seen, &found));
  if (found.size() < static_cast<std::size_t>(query.top)) {
    KL_RETURN_IF_ERROR(ScoreThrough(
        *store_, m, f,
        internal::BlockingTokens(f, keys, internal::kRuleFamilySkeleton, internal::kRuleCount),
        query.kind, kSearchTokenLimit, seen, &found));
  }
  SortByWeight(found);
  if (found.size() > static_cast<std::size_t>(query.top)) found.resize(query.top);
  std::vector<SearchHit> hits;
  for (const Candidate& c : found) {
    SearchHit hit;
    hit.registry_id = c.id;
    hit.kind = c.kind;
    hit.weight = c.weight;
    hit.probability = score::WeightToProbability(c.weight);
    hit.explanation = m.model.Explain(c.levels);
    hits.push_back(std::move(hit));
  }
  return hits;
}

Result<std::vector<SearchHit>> Registry::Search(const SearchQuery& query) {
  KL_ASSIGN_OR_RETURN(std::vector<SearchHit> ranked, Rank(query));
  std::vector<std::int64_t> ids;
  for (const SearchHit& h : ranked) ids.push_back(h.registry_id);
  std::sort(ids.begin(), ids.end());
  // Before any decryption; the query itself is personal data and is not
  // written.
  KL_RETURN_IF_ERROR(
      Audit("search", CompressIdRanges(ids), R"({"results":)" + std::to_string(ids.size()) + "}"));
  std::vector<SearchHit> hits;
  for (SearchHit& hit : ranked) {
    KL_ASSIGN_OR_RETURN(store::RecordRow row, store_->GetRecord(hit.registry_id));
    if (!row.wrapped_key) continue;  // erased meanwhile
    KL_ASSIGN_OR_RETURN(record::Record rec, Decrypt(row));
    hit.source_id = rec.Get(record::Field::kId);
    hit.name = DisplayName(rec);
    hits.push_back(std::move(hit));
  }
  return hits;
}

Status Registry::Matches(std::optional<store::MatchStatus> status,
                         const std::function<Status(const MatchView&)>& fn) {
  KL_RETURN_IF_ERROR(IndexPending(nullptr).status());
  std::vector<store::MatchRow> rows;
  KL_RETURN_IF_ERROR(store_->ForEachMatch(status, [&](const store::MatchRow& row) {
    rows.push_back(row);
    return OkStatus();
  }));
  std::vector<std::int64_t> ids;
  for (const store::MatchRow& r : rows) {
    // 0: the side a partner organisation holds (a partner match).
    if (r.request_id != 0) ids.push_back(r.request_id);
    if (r.person_id != 0) ids.push_back(r.person_id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  KL_RETURN_IF_ERROR(Audit("matches.read", CompressIdRanges(ids),
                           R"({"matches":)" + std::to_string(rows.size()) + "}"));
  auto describe = [&](std::int64_t id, std::string* source_id, std::string* name) -> Status {
    if (id == 0) return OkStatus();
    KL_ASSIGN_OR_RETURN(store::RecordRow row, store_->GetRecord(id));
    if (!row.wrapped_key) return OkStatus();
    KL_ASSIGN_OR_RETURN(record::Record rec, Decrypt(row));
    *source_id = rec.Get(record::Field::kId);
    *name = DisplayName(rec);
    return OkStatus();
  };
  for (const store::MatchRow& r : rows) {
    MatchView view;
    view.match = r;
    KL_RETURN_IF_ERROR(describe(r.request_id, &view.request_source_id, &view.request_name));
    KL_RETURN_IF_ERROR(describe(r.person_id, &view.person_source_id, &view.person_name));
    KL_RETURN_IF_ERROR(fn(view));
  }
  return OkStatus();
}

}  // namespace kinlink::engine
