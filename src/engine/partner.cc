// engine::Node, cross-organisation linkage: the node's side of a linkage
// hub (see node.h, "Cross-organisation linkage", and docs/pprl.md).
//
// State in the registry's meta table:
//   hub_next     the next record id to consider for sending
//   hub_batch    the last batch number handed out
//   hub_pending  the batch whose upload is not yet confirmed ("" = none)
//   hub_cursor   where reading pairs goes on from
// and each sent record's reference in the hub_refs table.
#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/internal/codec.h"
#include "engine/node.h"
#include "pprl/pprl.h"

namespace kinlink::engine {

namespace {

constexpr std::string_view kMetaHubNext = "hub_next";
constexpr std::string_view kMetaHubBatch = "hub_batch";
constexpr std::string_view kMetaHubPending = "hub_pending";
constexpr std::string_view kMetaHubCursor = "hub_cursor";
constexpr std::size_t kMaxPartnerNameBytes = 64;

// A counter in meta: `absent` when the key is not there or empty.
Result<std::int64_t> MetaNumber(store::Store& st, std::string_view key, std::int64_t absent) {
  KL_ASSIGN_OR_RETURN(std::optional<std::string> v, st.GetMeta(key));
  if (!v || v->empty()) return absent;
  std::int64_t n = 0;
  for (char c : *v) {
    if (c < '0' || c > '9' || n > (std::numeric_limits<std::int64_t>::max() - 9) / 10) {
      return DataLossError("the registry's meta value " + std::string(key) +
                           " is not a number");
    }
    n = n * 10 + (c - '0');
  }
  return n;
}

bool ValidPartnerName(std::string_view name) {
  if (name.empty() || name.size() > kMaxPartnerNameBytes) return false;
  if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9'))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

bool ValidPairRef(std::string_view ref) {
  return ref.size() == 32 && std::all_of(ref.begin(), ref.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string RefBytes(const pprl::RecordRef& ref) {
  return std::string(reinterpret_cast<const char*>(ref.data()), ref.size());
}

// The explanation of a partner match: the hub gives the total only (its
// field-by-field comparison is of encodings the node cannot see).
std::string PartnerExplanation(double probability, double weight) {
  return nlohmann::json{{"source", "hub"},
                        {"prior", 0.0},
                        {"fields", nlohmann::json::array()},
                        {"weight", weight},
                        {"probability", probability}}
      .dump();
}

}  // namespace

Status Node::EnablePartnerLinkage(PartnerLinkOptions options) {
  if (options.linkage_key.size() != crypto::kKeyBytes) {
    return InvalidArgumentError("the linkage key must be " + std::to_string(crypto::kKeyBytes) +
                                " bytes");
  }
  if (options.batch_records < 1 || options.batch_records > kMaxHubBatchRecords) {
    return InvalidArgumentError("the hub batch size must be 1.." +
                                std::to_string(kMaxHubBatchRecords) + " records");
  }
  std::lock_guard<std::mutex> lock(mu_);
  partner_ = std::move(options);
  return OkStatus();
}

Result<std::optional<HubUpload>> Node::NextHubUpload(std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!partner_) return FailedPreconditionError("partner linkage is not enabled on this node");
  store::Store& st = *reg_->store_;
  HubUpload upload;
  std::vector<store::HubRefRow> refs;
  {
    KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(st));
    KL_ASSIGN_OR_RETURN(const std::int64_t pending, MetaNumber(st, kMetaHubPending, 0));
    if (pending > 0) {
      upload.batch = pending;
      upload.repeat = true;
      KL_RETURN_IF_ERROR(st.ForEachHubRef(pending, [&](const store::HubRefRow& r) {
        refs.push_back(r);
        return OkStatus();
      }));
    } else {
      KL_ASSIGN_OR_RETURN(std::int64_t id, MetaNumber(st, kMetaHubNext, 1));
      KL_ASSIGN_OR_RETURN(const std::int64_t end, internal::NextRecordId(st));
      KL_ASSIGN_OR_RETURN(const std::int64_t last_batch, MetaNumber(st, kMetaHubBatch, 0));
      upload.batch = last_batch + 1;
      for (; id < end && static_cast<std::int64_t>(refs.size()) < partner_->batch_records; ++id) {
        Result<store::RecordRow> row = st.GetRecord(id);
        if (!row.ok()) {
          if (row.status().code() == StatusCode::kNotFound) continue;
          return row.status();
        }
        if (!row->wrapped_key || row->office_id == 0) continue;
        store::HubRefRow r;
        r.record_id = id;
        r.ref.resize(pprl::kKleRefBytes);
        randombytes_buf(r.ref.data(), r.ref.size());
        r.batch = upload.batch;
        KL_RETURN_IF_ERROR(st.PutHubRef(r));
        refs.push_back(std::move(r));
      }
      KL_RETURN_IF_ERROR(st.SetMeta(kMetaHubNext, std::to_string(id)));
      if (!refs.empty()) {
        KL_RETURN_IF_ERROR(st.SetMeta(kMetaHubBatch, std::to_string(upload.batch)));
        KL_RETURN_IF_ERROR(st.SetMeta(kMetaHubPending, std::to_string(upload.batch)));
      }
    }
    std::vector<std::int64_t> ids;
    for (const store::HubRefRow& r : refs) ids.push_back(r.record_id);
    if (!ids.empty()) {
      // Before any record is decrypted for encoding.
      KL_RETURN_IF_ERROR(AuditAs(options_.actor, "hub.encode", CompressIdRanges(ids),
                                 nlohmann::json{{"batch", upload.batch},
                                                {"records", ids.size()},
                                                {"repeat", upload.repeat},
                                                {"time", now}}
                                     .dump()));
    }
    KL_RETURN_IF_ERROR(txn.Commit());
  }
  if (refs.empty()) {
    if (upload.repeat) {
      // Every record of the batch was erased meanwhile: nothing to send.
      KL_RETURN_IF_ERROR(st.SetMeta(kMetaHubPending, ""));
    }
    return std::optional<HubUpload>();
  }

  linkage::Dataset data;
  std::vector<pprl::RecordRef> given;
  for (const store::HubRefRow& r : refs) {
    // A record erased since its reference was stored is left out.
    Result<store::RecordRow> row = GetRow(r.record_id);
    if (!row.ok()) {
      if (row.status().code() == StatusCode::kNotFound) continue;
      return row.status();
    }
    KL_ASSIGN_OR_RETURN(record::Record rec, reg_->Decrypt(*row));
    rec.set_kind(static_cast<record::Kind>(row->kind));
    data.records.push_back(std::move(rec));
    data.ids.push_back(FormatRegistryId(r.record_id));
    pprl::RecordRef ref{};
    if (r.ref.size() != ref.size()) {
      return DataLossError("the hub reference of record " + FormatRegistryId(r.record_id) +
                           " is malformed");
    }
    std::copy(r.ref.begin(), r.ref.end(), ref.begin());
    given.push_back(ref);
  }
  if (data.records.empty()) {
    KL_RETURN_IF_ERROR(st.SetMeta(kMetaHubPending, ""));
    return std::optional<HubUpload>();
  }
  pprl::EncodeOptions eo;
  eo.schema = partner_->schema;
  eo.variants = partner_->variants;
  eo.refs = &given;
  eo.threads = 2;
  std::ostringstream out;
  Result<pprl::EncodeStats> encoded =
      pprl::EncodeDataset(data, partner_->linkage_key, eo, out, nullptr);
  for (record::Record& rec : data.records) rec = record::Record();
  if (!encoded.ok()) return encoded.status().WithContext("encoding hub batch");
  upload.records = static_cast<std::int64_t>(encoded->records);
  upload.kle = std::move(out).str();
  return std::optional<HubUpload>(std::move(upload));
}

Status Node::HubUploadDone(std::int64_t batch, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  store::Store& st = *reg_->store_;
  KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(st));
  KL_ASSIGN_OR_RETURN(const std::int64_t pending, MetaNumber(st, kMetaHubPending, 0));
  if (pending != batch) return txn.Commit();  // another process confirmed it already
  KL_RETURN_IF_ERROR(st.SetMeta(kMetaHubPending, ""));
  KL_RETURN_IF_ERROR(AuditAs(options_.actor, "hub.upload", "hub",
                             nlohmann::json{{"batch", batch}, {"time", now}}.dump()));
  return txn.Commit();
}

Result<std::int64_t> Node::HubPairsCursor() {
  std::lock_guard<std::mutex> lock(mu_);
  return MetaNumber(*reg_->store_, kMetaHubCursor, 0);
}

Result<PartnerPairsSummary> Node::AddPartnerPairs(const std::vector<PartnerPair>& pairs,
                                                  std::int64_t next_cursor, std::int64_t now) {
  // The whole page is checked before anything is stored.
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const PartnerPair& p = pairs[i];
    const std::string where = "pair " + std::to_string(i + 1) + " from the hub: ";
    if (!ValidPartnerName(p.partner)) {
      return InvalidArgumentError(where + "the partner's name is not 1-64 of a-z 0-9 . _ -");
    }
    if (!ValidPairRef(p.pair_ref)) {
      return InvalidArgumentError(where + "the pair reference is not 32 lower-case hex digits");
    }
    if (!std::isfinite(p.score) || p.score < 0 || p.score > 1 || !std::isfinite(p.weight)) {
      return InvalidArgumentError(where + "the score is not a probability");
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  store::Store& st = *reg_->store_;
  KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(st));
  KL_ASSIGN_OR_RETURN(const std::int64_t cursor, MetaNumber(st, kMetaHubCursor, 0));
  if (next_cursor < cursor) {
    return InvalidArgumentError("the hub's cursor " + std::to_string(next_cursor) +
                                " is before this node's " + std::to_string(cursor));
  }
  PartnerPairsSummary summary;
  summary.pairs = static_cast<std::int64_t>(pairs.size());
  std::vector<std::int64_t> ids;
  for (const PartnerPair& p : pairs) {
    KL_ASSIGN_OR_RETURN(std::optional<store::HubRefRow> ref, st.FindHubRef(RefBytes(p.own_ref)));
    if (!ref) {
      ++summary.unknown;
      continue;
    }
    Result<store::RecordRow> row = st.GetRecord(ref->record_id);
    if (!row.ok() && row.status().code() != StatusCode::kNotFound) return row.status();
    if (!row.ok() || !row->wrapped_key) {
      ++summary.unknown;
      continue;
    }
    store::MatchRow m;
    if (row->kind == static_cast<std::uint8_t>(record::Kind::kRequest)) {
      m.request_id = row->id;
    } else {
      m.person_id = row->id;
    }
    m.partner = p.partner;
    m.partner_ref = p.pair_ref;
    m.probability = p.score;
    m.weight = p.weight;
    m.explanation = PartnerExplanation(p.score, p.weight);
    m.created_at = now;
    KL_RETURN_IF_ERROR(st.PutMatch(m).status());
    ++summary.stored;
    ids.push_back(row->id);
  }
  KL_RETURN_IF_ERROR(st.SetMeta(kMetaHubCursor, std::to_string(next_cursor)));
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  KL_RETURN_IF_ERROR(AuditAs(options_.actor, "hub.pairs", ids.empty() ? "hub" : CompressIdRanges(ids),
                             nlohmann::json{{"pairs", summary.pairs},
                                            {"stored", summary.stored},
                                            {"unknown", summary.unknown},
                                            {"cursor", next_cursor},
                                            {"time", now}}
                                 .dump()));
  KL_RETURN_IF_ERROR(txn.Commit());
  return summary;
}

}  // namespace kinlink::engine
