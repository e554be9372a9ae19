#include "store/audit.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kinlink::store {
namespace {

constexpr std::string_view kHeadKey = "audit_head";
constexpr std::size_t kHeadBytes = 8 + 2 * crypto::kMacBytes;

void PutLe64(std::string& out, std::int64_t value) {
  auto bits = static_cast<std::uint64_t>(value);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
}

std::int64_t GetLe64(std::string_view in) {
  std::uint64_t bits = 0;
  for (int i = 7; i >= 0; --i) bits = (bits << 8) | static_cast<unsigned char>(in[i]);
  return static_cast<std::int64_t>(bits);
}

// Length-prefixed, so that moving bytes between fields changes the MAC.
// Fields are bounded by kMaxAuditFieldBytes, well inside 32 bits.
void PutField(std::string& out, std::string_view field) {
  auto size = static_cast<std::uint32_t>(field.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
  out.append(field);
}

const std::string& Genesis() {
  static const std::string* genesis = new std::string(crypto::Hash("kinlink audit genesis v1"));
  return *genesis;
}

std::string EntryMessage(std::string_view prev_mac, const AuditRow& row) {
  std::string message;
  message.reserve(prev_mac.size() + 32 + row.actor.size() + row.action.size() + row.target.size() +
                  row.detail.size());
  message.append(prev_mac);
  PutLe64(message, row.seq);
  PutLe64(message, row.time);
  PutField(message, row.actor);
  PutField(message, row.action);
  PutField(message, row.target);
  PutField(message, row.detail);
  return message;
}

std::string HeadMessage(std::int64_t seq, std::string_view mac) {
  std::string message = "head";
  PutLe64(message, seq);
  message.append(mac);
  return message;
}

std::string EncodeHead(const crypto::SecretBytes& key, std::int64_t seq, std::string_view mac) {
  std::string head;
  PutLe64(head, seq);
  head.append(mac);
  head += crypto::Mac(key, HeadMessage(seq, mac));
  return head;
}

struct Head {
  std::int64_t seq = 0;
  std::string mac;
};

// nullopt when malformed or its MAC does not verify.
std::optional<Head> DecodeHead(const crypto::SecretBytes& key, std::string_view bytes) {
  if (bytes.size() != kHeadBytes) return std::nullopt;
  Head head;
  head.seq = GetLe64(bytes.substr(0, 8));
  head.mac = std::string(bytes.substr(8, crypto::kMacBytes));
  if (head.seq < 1) return std::nullopt;
  if (!crypto::VerifyMac(key, HeadMessage(head.seq, head.mac),
                         bytes.substr(8 + crypto::kMacBytes))) {
    return std::nullopt;
  }
  return head;
}

AuditVerifyReport Bad(std::int64_t entries, std::int64_t seq, std::string problem) {
  AuditVerifyReport report;
  report.ok = false;
  report.entries = entries;
  report.first_bad_seq = seq;
  report.problem = std::move(problem);
  return report;
}

}  // namespace

Status AuditLog::AppendIdList(std::string_view actor, std::string_view action,
                              std::string_view target, std::string_view detail,
                              std::int64_t time) {
  if (target.size() <= kMaxAuditFieldBytes) return Append(actor, action, target, detail, time);
  // Room for `"part":"k/n",` in the detail.
  constexpr std::size_t kPartBytes = 32;
  if (!detail.empty() && (detail.front() != '{' || detail.back() != '}')) {
    return InvalidArgumentError("audit append: the detail of a split entry must be a JSON object");
  }
  if (detail.size() + kPartBytes > kMaxAuditFieldBytes) {
    return InvalidArgumentError("audit append: a field is over kMaxAuditFieldBytes");
  }
  std::vector<std::string_view> pieces;
  while (!target.empty()) {
    std::size_t cut = target.size();
    if (cut > kMaxAuditFieldBytes) {
      cut = target.rfind(',', kMaxAuditFieldBytes);
      if (cut == std::string_view::npos || cut == 0) {
        return InvalidArgumentError("audit append: an item of the target is over kMaxAuditFieldBytes");
      }
    }
    pieces.push_back(target.substr(0, cut));
    target.remove_prefix(std::min(target.size(), cut + 1));
  }
  std::optional<Transaction> own;
  if (!store_.InTransaction()) {
    KL_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(store_));
    own.emplace(std::move(txn));
  }
  for (std::size_t k = 0; k < pieces.size(); ++k) {
    const std::string part = "\"part\":\"" + std::to_string(k + 1) + "/" +
                             std::to_string(pieces.size()) + "\"";
    std::string d;
    if (detail.empty() || detail == "{}") {
      d = "{" + part + "}";
    } else {
      d = "{" + part + "," + std::string(detail.substr(1));
    }
    KL_RETURN_IF_ERROR(Append(actor, action, pieces[k], d, time));
  }
  if (own) KL_RETURN_IF_ERROR(own->Commit());
  return OkStatus();
}

Status AuditLog::Append(std::string_view actor, std::string_view action, std::string_view target,
                        std::string_view detail, std::int64_t time) {
  for (std::string_view field : {actor, action, target, detail}) {
    if (field.size() > kMaxAuditFieldBytes) {
      return InvalidArgumentError("audit append: a field is over kMaxAuditFieldBytes");
    }
  }
  if (time == 0) {
    time = std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count();
  }
  std::optional<Transaction> own;
  if (!store_.InTransaction()) {
    KL_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(store_));
    own.emplace(std::move(txn));
  }

  KL_ASSIGN_OR_RETURN(std::optional<std::string> head_bytes, store_.GetMeta(kHeadKey));
  KL_ASSIGN_OR_RETURN(std::optional<AuditRow> last, store_.LastAudit());
  std::int64_t prev_seq = 0;
  std::string prev_mac = Genesis();
  if (head_bytes.has_value()) {
    std::optional<Head> head = DecodeHead(key_, *head_bytes);
    if (!head.has_value()) {
      return DataLossError("audit append: the audit head does not verify; run audit verify");
    }
    if (!last.has_value() || last->seq != head->seq || last->mac != head->mac) {
      return DataLossError("audit append: the audit log does not match its head; run audit verify");
    }
    prev_seq = head->seq;
    prev_mac = std::move(head->mac);
  } else if (last.has_value()) {
    return DataLossError("audit append: the audit log has entries but no head; run audit verify");
  }

  AuditRow row;
  row.seq = prev_seq + 1;
  row.time = time;
  row.actor = std::string(actor);
  row.action = std::string(action);
  row.target = std::string(target);
  row.detail = std::string(detail);
  row.mac = crypto::Mac(key_, EntryMessage(prev_mac, row));
  KL_RETURN_IF_ERROR(store_.AppendAudit(row));
  KL_RETURN_IF_ERROR(store_.SetMeta(kHeadKey, EncodeHead(key_, row.seq, row.mac)));
  if (own.has_value()) KL_RETURN_IF_ERROR(own->Commit());
  return OkStatus();
}

Result<AuditVerifyReport> AuditLog::Verify() {
  // A snapshot: without it another process's append between reading the
  // entries and reading the head would look like tampering. Never committed
  // (nothing is written); the destructor ends it.
  std::optional<Transaction> own;
  if (!store_.InTransaction()) {
    KL_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(store_));
    own.emplace(std::move(txn));
  }

  std::int64_t expected = 1;
  std::int64_t entries = 0;
  std::string prev_mac = Genesis();
  std::optional<AuditVerifyReport> bad;
  Status walked = store_.ForEachAudit([&](const AuditRow& row) -> Status {
    if (row.seq < expected) {
      bad = Bad(entries, expected,
                "an entry numbered " + std::to_string(row.seq) + " was inserted before entry " +
                    std::to_string(expected));
    } else if (row.seq > expected) {
      bad = Bad(entries, expected, "entry " + std::to_string(expected) + " is missing");
    } else {
      ++entries;
      if (!crypto::VerifyMac(key_, EntryMessage(prev_mac, row), row.mac)) {
        bad = Bad(entries, row.seq, "entry " + std::to_string(row.seq) + " was altered or moved");
      }
    }
    if (bad.has_value()) return CancelledError("stop");  // ends the walk; not an error
    prev_mac = row.mac;
    ++expected;
    return OkStatus();
  });
  if (bad.has_value()) return *bad;
  KL_RETURN_IF_ERROR(walked);

  const std::int64_t last = expected - 1;
  KL_ASSIGN_OR_RETURN(std::optional<std::string> head_bytes, store_.GetMeta(kHeadKey));
  if (!head_bytes.has_value()) {
    if (last == 0) {
      AuditVerifyReport report;
      report.ok = true;
      return report;
    }
    return Bad(entries, last + 1, "the audit head is missing");
  }
  std::optional<Head> head = DecodeHead(key_, *head_bytes);
  if (!head.has_value()) return Bad(entries, last + 1, "the audit head was altered");
  if (head->seq > last) {
    return Bad(entries, last + 1,
               "the log ends at entry " + std::to_string(last) + " but its head says " +
                   std::to_string(head->seq) + ": entries were deleted from the end");
  }
  if (head->seq < last) {
    return Bad(entries, head->seq + 1,
               "the log has entries after its head (entry " + std::to_string(head->seq) + ")");
  }
  if (head->mac != prev_mac) {
    return Bad(entries, last, "the audit head does not match entry " + std::to_string(last));
  }
  AuditVerifyReport report;
  report.ok = true;
  report.entries = entries;
  return report;
}

}  // namespace kinlink::store
