// Matching inside the registry: every imported record's encodings and
// blocking tokens, potential matches between requests and persons, search
// and the review queue. Only keyed encodings are compared; a record is
// decrypted only to show its name, and that is audited first.
#include <algorithm>
#include <cmath>
#include <ctime>
#include <unordered_set>

#include <nlohmann/json.hpp>

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

std::string DisplayName(const record::Record& r) {
  if (r.Has(record::Field::kFullName)) return r.Get(record::Field::kFullName);
  std::string name = r.Get(record::Field::kGivenName);
  if (r.Has(record::Field::kFamilyName)) {
    if (!name.empty()) name += ' ';
    name += r.Get(record::Field::kFamilyName);
  }
  return name;
}

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
  }
  return "unknown";
}

std::string ExplanationJson(const score::Explanation& e) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::array();
  for (const score::FieldContribution& c : e.fields) {
    fields.push_back({{"field", c.field},
                      {"level", c.level},
                      {"label", c.level_label},
                      {"missing", c.missing},
                      {"weight", Round3(c.weight)}});
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
  linkage::ExtractorOptions options;
  options.mode = linkage::Mode::kEncoded;
  options.key = &token_key_;
  options.today_days = static_cast<std::int64_t>(std::time(nullptr)) / 86400;
  KL_ASSIGN_OR_RETURN(std::unique_ptr<linkage::FeatureExtractor> extractor,
                      linkage::FeatureExtractor::Create(options));
  matcher_ = std::make_unique<internal::Matcher>(
      internal::Matcher{std::move(extractor), std::move(model).value(), {}});
  return OkStatus();
}

Result<std::int64_t> Registry::IndexAndMatch(std::int64_t id, const record::Record& rec,
                                             bool match, std::int64_t now) {
  KL_RETURN_IF_ERROR(EnsureMatcher());
  internal::Matcher& m = *matcher_;
  linkage::Features f;
  linkage::BlockingKeyRow keys{};
  m.extractor->Extract(rec, &f, &keys);
  std::string blob = linkage::SerializeEncoded(f);
  KL_RETURN_IF_ERROR(store_->PutEncoding(id, static_cast<std::uint8_t>(rec.kind()), blob));
  const std::vector<std::string> tokens =
      internal::BlockingTokens(f, keys, 0, internal::kRuleCount);
  KL_RETURN_IF_ERROR(store_->AddBlockingTokens(id, tokens));
  if (!match) return std::int64_t{0};

  // Matching uses the linkage rules and the combined-name rule, not the
  // single-name ones (too weak to pair records on their own).
  const std::vector<std::string> probe =
      internal::BlockingTokens(f, keys, 0, internal::kRuleGivenFamilySkeleton + 1);
  std::unordered_set<std::int64_t> seen{id};
  std::vector<Candidate> found;
  const record::Kind other = OtherKind(rec.kind());
  KL_RETURN_IF_ERROR(ScoreThrough(*store_, m, f, probe, other, kImportTokenLimit, seen, &found));
  SortByWeight(found);
  std::int64_t stored = 0;
  for (const Candidate& c : found) {
    if (stored >= kMaxStoredMatchesPerRecord) break;
    const double p = score::WeightToProbability(c.weight);
    if (p < kStoredMatchThreshold) break;
    store::MatchRow row;
    row.request_id = rec.kind() == record::Kind::kRequest ? id : c.id;
    row.person_id = rec.kind() == record::Kind::kRequest ? c.id : id;
    row.probability = p;
    row.weight = c.weight;
    row.explanation = ExplanationJson(m.model.Explain(c.levels));
    row.created_at = now;
    KL_RETURN_IF_ERROR(store_->PutMatch(row).status());
    ++stored;
  }
  return stored;
}

Result<std::vector<SearchHit>> Registry::Search(const SearchQuery& query) {
  if (query.top < 1 || query.top > 1000) {
    return InvalidArgumentError("--top must be between 1 and 1000");
  }
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

  std::vector<std::int64_t> ids;
  for (const Candidate& c : found) ids.push_back(c.id);
  std::sort(ids.begin(), ids.end());
  // Before any decryption; the query itself is personal data and is not
  // written.
  KL_RETURN_IF_ERROR(
      Audit("search", CompressIdRanges(ids), R"({"results":)" + std::to_string(ids.size()) + "}"));

  std::vector<SearchHit> hits;
  for (const Candidate& c : found) {
    SearchHit hit;
    hit.registry_id = c.id;
    hit.kind = c.kind;
    hit.weight = c.weight;
    hit.probability = score::WeightToProbability(c.weight);
    hit.explanation = m.model.Explain(c.levels);
    KL_ASSIGN_OR_RETURN(store::RecordRow row, store_->GetRecord(c.id));
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
  std::vector<store::MatchRow> rows;
  KL_RETURN_IF_ERROR(store_->ForEachMatch(status, [&](const store::MatchRow& row) {
    rows.push_back(row);
    return OkStatus();
  }));
  std::vector<std::int64_t> ids;
  for (const store::MatchRow& r : rows) {
    ids.push_back(r.request_id);
    ids.push_back(r.person_id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  KL_RETURN_IF_ERROR(Audit("matches.read", CompressIdRanges(ids),
                           R"({"matches":)" + std::to_string(rows.size()) + "}"));
  auto describe = [&](std::int64_t id, std::string* source_id, std::string* name) -> Status {
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
