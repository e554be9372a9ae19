// engine::Node: the authorisation rule, records and the tracing workflow
// on top of a Registry (see node.h). Accounts and sessions are in
// node_accounts.cc, cross-organisation linkage in partner.cc.
#include "engine/node.h"

#include <sodium.h>

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "auth/password.h"
#include "auth/session.h"
#include "common/utf8.h"
#include "engine/internal/codec.h"
#include "engine/internal/matcher.h"
#include "linkage/encoded_io.h"

namespace kinlink::engine {

namespace {

std::string DisclosureAd(std::int64_t match_id) {
  return "disclosure:" + std::to_string(match_id);
}
std::string DisclosureKeyAd(std::int64_t match_id) {
  return "disclosure-key:" + std::to_string(match_id);
}
std::string CaseTarget(std::int64_t request_id) { return "case:" + FormatRegistryId(request_id); }
// The audit target of a match's review: the request's case, or, for a
// partner match of a person held here, that record.
std::string MatchTarget(const store::MatchRow& m) {
  return m.request_id != 0 ? CaseTarget(m.request_id) : FormatRegistryId(m.person_id);
}

// What a found person's record says about where they are or how to reach
// them: never in a match view, in the enquirer view only as disclosed.
constexpr record::Field kWhereabouts[] = {
    record::Field::kAddress,  record::Field::kLocality,       record::Field::kRegion,
    record::Field::kPostcode, record::Field::kCountry,        record::Field::kLastKnownPlace,
    record::Field::kLastSeenDate};
constexpr record::Field kSensitive[] = {
    record::Field::kAddress,        record::Field::kLocality,     record::Field::kRegion,
    record::Field::kPostcode,       record::Field::kCountry,      record::Field::kLastKnownPlace,
    record::Field::kLastSeenDate,   record::Field::kPhone,        record::Field::kEmail,
    record::Field::kNotes,          record::Field::kStatus};

record::Record Redacted(record::Record rec) {
  for (record::Field f : kSensitive) rec.Set(f, "");
  return rec;
}

bool IsRejectReason(std::string_view reason) {
  for (std::string_view r : kRejectReasons) {
    if (r == reason) return true;
  }
  return false;
}

std::string Json(const nlohmann::json& j) { return j.dump(); }

}  // namespace

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::kRegisterRecord:
      return "register records";
    case Action::kReadRecord:
      return "read records";
    case Action::kSearch:
      return "search";
    case Action::kListMatches:
      return "list matches";
    case Action::kReadMatch:
      return "read matches";
    case Action::kProposeMatch:
      return "propose matches";
    case Action::kDecideMatch:
      return "confirm or reject matches";
    case Action::kDecideDisclosure:
      return "record disclosure decisions";
    case Action::kReadCase:
      return "read cases";
    case Action::kEnquirerView:
      return "see what an enquirer may be told";
    case Action::kUpdateCase:
      return "update cases";
    case Action::kListCases:
      return "list cases";
    case Action::kManageAccounts:
      return "manage accounts";
    case Action::kReadAudit:
      return "read the audit log";
    case Action::kRunRetention:
      return "run retention";
  }
  return "act";
}

Status Authorize(const Principal& p, Action a, std::optional<std::int64_t> office) {
  using auth::Role;
  bool allowed = false;
  switch (a) {
    case Action::kRegisterRecord:
    case Action::kReadRecord:
    case Action::kSearch:
    case Action::kListMatches:
    case Action::kReadMatch:
    case Action::kProposeMatch:
    case Action::kReadCase:
    case Action::kEnquirerView:
    case Action::kUpdateCase:
    case Action::kListCases:
      allowed = p.role == Role::kCaseworker || p.role == Role::kOfficer;
      break;
    case Action::kDecideMatch:
    case Action::kDecideDisclosure:
      allowed = p.role == Role::kOfficer;
      break;
    case Action::kManageAccounts:
    case Action::kRunRetention:
      allowed = p.role == Role::kAdmin;
      break;
    case Action::kReadAudit:
      allowed = p.role == Role::kAuditor;
      break;
  }
  if (!allowed) {
    return PermissionDeniedError("the " + std::string(auth::RoleName(p.role)) + " role may not " +
                                 std::string(ActionName(a)));
  }
  if (office.has_value() && *office != p.office_id) {
    return PermissionDeniedError("this is held by another office: " + std::string(ActionName(a)) +
                                 " is for the holding office");
  }
  return OkStatus();
}

std::string_view DisclosureDecisionName(DisclosureDecision d) {
  switch (d) {
    case DisclosureDecision::kNothing:
      return "nothing";
    case DisclosureDecision::kAliveAndWell:
      return "alive_and_well";
    case DisclosureDecision::kMessage:
      return "message";
    case DisclosureDecision::kContact:
      return "contact";
  }
  return "nothing";
}

std::optional<DisclosureDecision> ParseDisclosureDecision(std::string_view text) {
  for (auto d : {DisclosureDecision::kNothing, DisclosureDecision::kAliveAndWell,
                 DisclosureDecision::kMessage, DisclosureDecision::kContact}) {
    if (DisclosureDecisionName(d) == text) return d;
  }
  return std::nullopt;
}

std::string_view CaseStateName(CaseState s) {
  switch (s) {
    case CaseState::kOpen:
      return "open";
    case CaseState::kMatchConfirmed:
      return "match_confirmed";
    case CaseState::kDisclosureRecorded:
      return "disclosure_recorded";
    case CaseState::kEnquirerInformed:
      return "enquirer_informed";
    case CaseState::kReunited:
      return "reunited";
    case CaseState::kClosed:
      return "closed";
  }
  return "open";
}

std::optional<CaseState> ParseCaseState(std::string_view text) {
  for (auto s : {CaseState::kOpen, CaseState::kMatchConfirmed, CaseState::kDisclosureRecorded,
                 CaseState::kEnquirerInformed, CaseState::kReunited, CaseState::kClosed}) {
    if (CaseStateName(s) == text) return s;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- Node

Node::Node(std::unique_ptr<Registry> registry, const NodeOptions& options)
    : reg_(std::move(registry)),
      options_(options),
      session_key_(crypto::DeriveKey(reg_->master_, crypto::Purpose::kSessionMac)) {}

Node::~Node() = default;

Result<std::unique_ptr<Node>> Node::Open(const std::string& data_dir, const KeySource& key,
                                         const NodeOptions& options) {
  KL_ASSIGN_OR_RETURN(std::unique_ptr<Registry> reg, Registry::Open(data_dir, key, options.actor));
  std::unique_ptr<Node> node(new Node(std::move(reg), options));
  // A hash to verify against when the user is unknown, so that the answer
  // takes as long as for a known one.
  KL_ASSIGN_OR_RETURN(node->dummy_hash_,
                      auth::HashPassword("not a password of anyone", options.fast_password_hashing
                                                                         ? auth::PasswordStrength::kInteractive
                                                                         : auth::PasswordStrength::kModerate));
  return node;
}

Status Node::AuditAs(std::string_view actor, std::string_view action, std::string_view target,
                     std::string_view detail) {
  store::Store& st = *reg_->store_;
  // Targets may be long lists of ids: AppendIdList splits them.
  if (st.InTransaction()) {
    return reg_->audit_->AppendIdList(std::string(actor), action, target, detail);
  }
  KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(st));
  KL_RETURN_IF_ERROR(reg_->audit_->AppendIdList(std::string(actor), action, target, detail));
  return txn.Commit();
}

Result<store::RecordRow> Node::GetRow(std::int64_t id) {
  Result<store::RecordRow> row = reg_->store_->GetRecord(id);
  if (!row.ok()) return row.status();
  if (!row->wrapped_key) return NotFoundError("record " + FormatRegistryId(id) + " was erased");
  return row;
}

Result<Node::SideOffices> Node::OfficesOf(const store::MatchRow& m) {
  SideOffices o;
  if (m.request_id != 0) {
    KL_ASSIGN_OR_RETURN(store::RecordRow req, reg_->store_->GetRecord(m.request_id));
    o.request = req.office_id;
  }
  if (m.person_id != 0) {
    KL_ASSIGN_OR_RETURN(store::RecordRow per, reg_->store_->GetRecord(m.person_id));
    o.person = per.office_id;
  }
  return o;
}

std::string Node::OfficeName(std::int64_t office_id) {
  if (office_id == 0) return "";
  Result<std::optional<store::OfficeRow>> o = reg_->store_->GetOffice(office_id);
  return o.ok() && o->has_value() ? (*o)->name : "";
}

Status Node::CountDecryptions(const Principal& p, std::int64_t n, std::int64_t now) {
  if (options_.decrypt_alert_per_hour <= 0 || n <= 0) return OkStatus();
  Reads& r = reads_[p.user_id];
  const std::int64_t hour = now / 3600;
  if (r.hour != hour) r = Reads{hour, 0, false};
  r.count += n;
  if (r.count > options_.decrypt_alert_per_hour && !r.alerted) {
    r.alerted = true;
    return AuditAs(p.user, "alert.bulk_read", "user:" + p.user,
                   Json({{"decryptions_this_hour", r.count},
                         {"limit", options_.decrypt_alert_per_hour}}));
  }
  return OkStatus();
}

Result<record::Record> Node::DecryptFor(const Principal& p, const store::RecordRow& row,
                                        std::int64_t now) {
  KL_ASSIGN_OR_RETURN(record::Record rec, reg_->Decrypt(row));
  KL_RETURN_IF_ERROR(CountDecryptions(p, 1, now));
  return rec;
}

std::string Node::CsrfFor(std::string_view session_id) const {
  unsigned char mac[32];
  const std::string input = "csrf/v1:" + std::string(session_id);
  crypto_generichash(mac, sizeof mac, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size(), reinterpret_cast<const unsigned char*>(session_key_.data()),
                     session_key_.size());
  char out[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

// ---------------------------------------------------------------- Records

Result<std::int64_t> Node::Register(const Principal& p, record::Kind kind, record::Record rec,
                                    std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  KL_RETURN_IF_ERROR(Authorize(p, Action::kRegisterRecord, std::nullopt));
  return reg_->RegisterRecord(kind, std::move(rec), p.office_id,
                              options_.default_retention_s > 0 ? now + options_.default_retention_s
                                                               : 0,
                              p.user);
}

Result<RecordView> Node::Show(const Principal& p, std::int64_t registry_id, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  KL_RETURN_IF_ERROR(Authorize(p, Action::kReadRecord, std::nullopt));
  KL_ASSIGN_OR_RETURN(store::RecordRow row, GetRow(registry_id));
  KL_RETURN_IF_ERROR(Authorize(p, Action::kReadRecord, row.office_id));
  KL_RETURN_IF_ERROR(AuditAs(p.user, "record.read", FormatRegistryId(registry_id), "{}"));
  RecordView view;
  view.registry_id = row.id;
  view.created_at = row.created_at;
  view.updated_at = row.updated_at;
  view.version = row.version;
  KL_ASSIGN_OR_RETURN(view.record, DecryptFor(p, row, now));
  return view;
}

Result<std::vector<SearchHit>> Node::Search(const Principal& p, const SearchQuery& q,
                                            std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  KL_RETURN_IF_ERROR(Authorize(p, Action::kSearch, std::nullopt));
  KL_ASSIGN_OR_RETURN(std::vector<SearchHit> ranked, reg_->Rank(q));
  std::vector<std::int64_t> own;
  std::vector<store::RecordRow> rows;
  for (const SearchHit& h : ranked) {
    Result<store::RecordRow> row = GetRow(h.registry_id);
    if (!row.ok()) {
      rows.emplace_back();
      continue;
    }
    if (row->office_id == p.office_id) own.push_back(h.registry_id);
    rows.push_back(std::move(*row));
  }
  std::sort(own.begin(), own.end());
  KL_RETURN_IF_ERROR(AuditAs(p.user, "search", CompressIdRanges(own),
                             Json({{"results", ranked.size()}, {"opened", own.size()}})));
  std::vector<SearchHit> hits;
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    if (rows[i].id == 0) continue;  // erased meanwhile
    SearchHit hit = std::move(ranked[i]);
    if (rows[i].office_id == p.office_id) {
      KL_ASSIGN_OR_RETURN(record::Record rec, DecryptFor(p, rows[i], now));
      hit.source_id = rec.Get(record::Field::kId);
      hit.name = DisplayName(rec);
    } else {
      hit.name = "";
      hit.source_id = "";
      hit.held_by = OfficeName(rows[i].office_id);
      if (hit.held_by.empty()) hit.held_by = "registry";
    }
    hits.push_back(std::move(hit));
  }
  return hits;
}

Result<ImportSummary> Node::ImportCsv(const Principal& p, record::Kind kind, std::string_view csv,
                                      bool dry_run, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  KL_RETURN_IF_ERROR(Authorize(p, Action::kRegisterRecord, std::nullopt));
  if (p.office_id <= 0) return FailedPreconditionError("the account belongs to no office");
  ImportRequest request;
  request.data = csv;
  request.kind = kind;
  request.office_id = p.office_id;
  request.retention_s = options_.default_retention_s;
  request.actor = p.user;
  request.now = now;
  request.dry_run = dry_run;
  return reg_->Import(request, nullptr);
}

// ---------------------------------------------------------------- Workflow

Result<MatchDetail> Node::Detail(const Principal& p, const store::MatchRow& m, std::int64_t now) {
  MatchDetail d;
  d.match = m;
  d.status = std::string(MatchStatusName(m.status));
  d.explanation = m.explanation;
  KL_ASSIGN_OR_RETURN(std::optional<store::DisclosureRow> disclosure,
                      reg_->store_->GetDisclosure(m.id));
  d.has_disclosure = disclosure.has_value();
  auto side = [&](std::int64_t id, MatchSide* out) -> Status {
    out->registry_id = id;
    if (id == 0 && m.is_partner()) {  // held by the partner organisation
      out->office = m.partner;
      out->partner = true;
      return OkStatus();
    }
    KL_ASSIGN_OR_RETURN(store::RecordRow row, GetRow(id));
    out->office = OfficeName(row.office_id);
    if (out->office.empty()) out->office = "registry";
    out->visible = row.office_id == p.office_id;
    if (out->visible) {
      KL_ASSIGN_OR_RETURN(record::Record rec, DecryptFor(p, row, now));
      out->record = rec.kind() == record::Kind::kPerson ? Redacted(std::move(rec)) : std::move(rec);
    }
    return OkStatus();
  };
  KL_RETURN_IF_ERROR(side(m.request_id, &d.request));
  KL_RETURN_IF_ERROR(side(m.person_id, &d.person));
  return d;
}

Result<std::vector<MatchDetail>> Node::ListMatches(const Principal& p,
                                                   std::optional<store::MatchStatus> status,
                                                   std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  KL_RETURN_IF_ERROR(Authorize(p, Action::kListMatches, std::nullopt));
  KL_RETURN_IF_ERROR(reg_->IndexPending(nullptr).status());
  std::vector<store::MatchRow> mine;
  store::Store& st = *reg_->store_;
  KL_RETURN_IF_ERROR(st.ForEachMatch(status, [&](const store::MatchRow& m) {
    KL_ASSIGN_OR_RETURN(SideOffices o, OfficesOf(m));
    if (o.request == p.office_id || o.person == p.office_id) mine.push_back(m);
    return OkStatus();
  }));
  std::vector<std::int64_t> ids;
  for (const store::MatchRow& m : mine) {
    if (m.request_id != 0) ids.push_back(m.request_id);
    if (m.person_id != 0) ids.push_back(m.person_id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  KL_RETURN_IF_ERROR(
      AuditAs(p.user, "matches.read", CompressIdRanges(ids), Json({{"matches", mine.size()}})));
  std::vector<MatchDetail> out;
  for (const store::MatchRow& m : mine) {
    Result<MatchDetail> d = Detail(p, m, now);
    if (d.status().code() == StatusCode::kNotFound) continue;  // erased meanwhile
    if (!d.ok()) return d.status();
    out.push_back(std::move(*d));
  }
  return out;
}

Result<store::MatchRow> Node::MatchOf(const Principal& p, Action a, std::int64_t match_id,
                                      bool need_request_office, bool need_person_office) {
  KL_RETURN_IF_ERROR(Authorize(p, a, std::nullopt));
  KL_ASSIGN_OR_RETURN(std::optional<store::MatchRow> m, reg_->store_->GetMatch(match_id));
  if (!m) return NotFoundError("no match " + std::to_string(match_id));
  KL_ASSIGN_OR_RETURN(SideOffices o, OfficesOf(*m));
  if (m->is_partner()) {
    // The office holding the record here acts for both sides: the partner
    // organisation reviews on its own node.
    const std::int64_t here = m->request_id != 0 ? o.request : o.person;
    if (here != p.office_id) return NotFoundError("no match " + std::to_string(match_id));
    KL_RETURN_IF_ERROR(Authorize(p, a, here));
    return *m;
  }
  if (need_request_office) KL_RETURN_IF_ERROR(Authorize(p, a, o.request));
  if (need_person_office) KL_RETURN_IF_ERROR(Authorize(p, a, o.person));
  if (!need_request_office && !need_person_office && o.request != p.office_id &&
      o.person != p.office_id) {
    // Neither side is the caller's: the match does not exist for them.
    return NotFoundError("no match " + std::to_string(match_id));
  }
  return *m;
}

Result<MatchDetail> Node::GetMatch(const Principal& p, std::int64_t match_id, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  KL_ASSIGN_OR_RETURN(store::MatchRow m, MatchOf(p, Action::kReadMatch, match_id, false, false));
  KL_RETURN_IF_ERROR(AuditAs(p.user, "match.read", MatchTarget(m), Json({{"match", m.id}})));
  KL_ASSIGN_OR_RETURN(MatchDetail d, Detail(p, m, now));
  if (m.request_id != 0) {
    KL_ASSIGN_OR_RETURN(d.name_frequency, NameFrequencyOf(m.request_id));
  }
  return d;
}

// From the request's stored encoding (keyed tokens, no decryption) and the
// blocking table: see NameFrequency in node.h.
Result<NameFrequency> Node::NameFrequencyOf(std::int64_t request_id) {
  NameFrequency out;
  KL_ASSIGN_OR_RETURN(std::optional<store::EncodingRow> enc, reg_->store_->GetEncoding(request_id));
  if (!enc) return out;
  Result<linkage::Features> f = linkage::ParseEncoded(enc->blob);
  if (!f.ok()) {
    return f.status().WithContext("the encoding of record " + FormatRegistryId(request_id));
  }
  // The name-only rules need no blocking keys: only the features' skeletons.
  const linkage::BlockingKeyRow no_keys{};
  auto count = [&](std::uint8_t rule, std::optional<std::int64_t>* n) -> Status {
    const std::string token = internal::BlockingToken(rule, *f, no_keys);
    if (token.empty()) return OkStatus();
    KL_ASSIGN_OR_RETURN(*n, reg_->store_->CountByBlockingToken(token));
    return OkStatus();
  };
  KL_RETURN_IF_ERROR(count(internal::kRuleGivenSkeleton, &out.given_name));
  KL_RETURN_IF_ERROR(count(internal::kRuleFamilySkeleton, &out.family_name));
  return out;
}

Status Node::SetCase(const Principal& p, std::int64_t request_id, CaseState state,
                     std::int64_t now) {
  store::CaseRow c;
  c.request_id = request_id;
  c.state = static_cast<std::uint8_t>(state);
  c.updated_by = p.user_id;
  c.updated_at = now;
  return reg_->store_->PutCase(c);
}

Status Node::ProposeMatch(const Principal& p, std::int64_t match_id, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  // Read and write in one transaction: another process deciding the same
  // match waits, then sees this one's result.
  KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*reg_->store_));
  KL_ASSIGN_OR_RETURN(store::MatchRow m, MatchOf(p, Action::kProposeMatch, match_id, false, false));
  if (m.status != store::MatchStatus::kPotential) {
    return FailedPreconditionError("only a potential match can be proposed (this one is " +
                                   std::string(MatchStatusName(m.status)) + ")");
  }
  m.status = store::MatchStatus::kProposed;
  m.proposed_by = p.user_id;
  KL_RETURN_IF_ERROR(reg_->store_->UpdateMatchReview(m));
  KL_RETURN_IF_ERROR(AuditAs(p.user, "match.propose", MatchTarget(m),
                             Json({{"match", m.id}, {"time", now}})));
  return txn.Commit();
}

Status Node::DecideMatch(const Principal& p, std::int64_t match_id, bool confirm,
                         std::string_view reason, std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  // The office that holds the request decides whether its search ended.
  KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*reg_->store_));
  KL_ASSIGN_OR_RETURN(store::MatchRow m, MatchOf(p, Action::kDecideMatch, match_id, true, false));
  if (m.status != store::MatchStatus::kPotential && m.status != store::MatchStatus::kProposed) {
    return FailedPreconditionError("this match was already " +
                                   std::string(MatchStatusName(m.status)));
  }
  if (!confirm && !IsRejectReason(reason)) {
    std::string list;
    for (std::string_view r : kRejectReasons) list += (list.empty() ? "" : ", ") + std::string(r);
    return InvalidArgumentError("a rejection needs a reason: one of " + list);
  }
  m.status = confirm ? store::MatchStatus::kConfirmed : store::MatchStatus::kRejected;
  m.decided_by = p.user_id;
  m.decided_at = now;
  m.reason = confirm ? "" : std::string(reason);
  KL_RETURN_IF_ERROR(reg_->store_->UpdateMatchReview(m));
  if (confirm && m.request_id != 0) {
    KL_RETURN_IF_ERROR(SetCase(p, m.request_id, CaseState::kMatchConfirmed, now));
  }
  nlohmann::json detail = {{"match", m.id}};
  if (!confirm) detail["reason"] = m.reason;
  KL_RETURN_IF_ERROR(
      AuditAs(p.user, confirm ? "match.confirm" : "match.reject", MatchTarget(m), Json(detail)));
  return txn.Commit();
}

Status Node::RecordDisclosure(const Principal& p, std::int64_t match_id, const DisclosureInput& d,
                              std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  // The found person's decision is recorded by the office that holds them.
  KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*reg_->store_));
  KL_ASSIGN_OR_RETURN(store::MatchRow m,
                      MatchOf(p, Action::kDecideDisclosure, match_id, false, true));
  if (m.status != store::MatchStatus::kConfirmed) {
    return FailedPreconditionError("a disclosure decision needs a confirmed match");
  }
  if (d.withhold > (kWithholdWhereabouts | kWithholdPhone | kWithholdEmail)) {
    return InvalidArgumentError("unknown item to withhold");
  }
  if (d.message.size() > kMaxDisclosureMessageBytes || !IsValidUtf8(d.message)) {
    return InvalidArgumentError("the message must be UTF-8 of at most " +
                                std::to_string(kMaxDisclosureMessageBytes) + " bytes");
  }
  if (d.decision == DisclosureDecision::kMessage && d.message.empty()) {
    return InvalidArgumentError("a message decision needs the message");
  }
  if (d.decision != DisclosureDecision::kMessage && !d.message.empty()) {
    return InvalidArgumentError("a message is given only with the message decision");
  }
  if (m.is_partner() && m.person_id == 0 && d.decision == DisclosureDecision::kContact) {
    // The found person's contact details are in the partner's registry.
    return FailedPreconditionError(
        "the found person's record is held by partner organisation " + m.partner +
        ": record the contact details they agreed to pass on as a message");
  }
  store::DisclosureRow row;
  row.match_id = m.id;
  row.decision = static_cast<std::uint8_t>(d.decision);
  row.withhold = d.withhold;
  row.decided_by = p.user_id;
  row.decided_at = now;
  if (!d.message.empty()) {
    crypto::SecretBytes key(crypto::kKeyBytes);
    crypto::FillRandom(key);
    row.sealed = crypto::Seal(key, d.message, DisclosureAd(m.id));
    row.wrapped_key = crypto::Seal(reg_->record_wrap_key_, key.view(), DisclosureKeyAd(m.id));
  }
  KL_RETURN_IF_ERROR(reg_->store_->PutDisclosure(row));
  if (m.request_id != 0) {
    KL_RETURN_IF_ERROR(SetCase(p, m.request_id, CaseState::kDisclosureRecorded, now));
  }
  KL_RETURN_IF_ERROR(AuditAs(p.user, "disclosure.record", MatchTarget(m),
                             Json({{"match", m.id},
                                   {"decision", DisclosureDecisionName(d.decision)},
                                   {"withhold", d.withhold}})));
  return txn.Commit();
}

Result<CaseView> Node::GetCase(const Principal& p, std::int64_t request_id) {
  std::lock_guard<std::mutex> lock(mu_);
  KL_RETURN_IF_ERROR(Authorize(p, Action::kReadCase, std::nullopt));
  KL_ASSIGN_OR_RETURN(store::RecordRow req, GetRow(request_id));
  if (req.kind != static_cast<std::uint8_t>(record::Kind::kRequest)) {
    return NotFoundError("no tracing request " + FormatRegistryId(request_id));
  }
  KL_RETURN_IF_ERROR(Authorize(p, Action::kReadCase, req.office_id));
  CaseView view;
  view.request_id = request_id;
  KL_ASSIGN_OR_RETURN(std::optional<store::CaseRow> c, reg_->store_->GetCase(request_id));
  if (c) view.state = static_cast<CaseState>(c->state);
  const std::string target = CaseTarget(request_id);
  const std::string created = FormatRegistryId(request_id);
  KL_RETURN_IF_ERROR(reg_->store_->ForEachAudit([&](const store::AuditRow& r) {
    if (r.target == target || (r.action == "record.create" && r.target == created)) {
      view.timeline.push_back({r.time, r.actor, r.action, r.detail});
    }
    return OkStatus();
  }));
  return view;
}

Result<std::vector<CaseSummary>> Node::ListCases(const Principal& p, std::int64_t limit,
                                                 std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  KL_RETURN_IF_ERROR(Authorize(p, Action::kListCases, std::nullopt));
  if (limit < 1 || limit > kMaxCaseloadLimit) {
    return InvalidArgumentError("limit must be 1.." + std::to_string(kMaxCaseloadLimit));
  }
  // Match counts of new records must not wait for the next import.
  KL_RETURN_IF_ERROR(reg_->IndexPending(nullptr).status());
  store::Store& st = *reg_->store_;
  store::RecordFilter mine;
  mine.kind = static_cast<std::uint8_t>(record::Kind::kRequest);
  mine.office_id = p.office_id;
  KL_ASSIGN_OR_RETURN(std::vector<store::RecordRow> rows, st.LatestRecords(mine, limit));
  std::vector<std::int64_t> ids;
  for (const store::RecordRow& r : rows) ids.push_back(r.id);
  std::sort(ids.begin(), ids.end());
  // Before any name is decrypted.
  KL_RETURN_IF_ERROR(AuditAs(p.user, "cases.read", CompressIdRanges(ids),
                             Json({{"cases", rows.size()}, {"limit", limit}})));
  std::vector<CaseSummary> out;
  for (const store::RecordRow& row : rows) {
    CaseSummary c;
    c.request_id = row.id;
    c.created_at = row.created_at;
    KL_ASSIGN_OR_RETURN(std::optional<store::CaseRow> state, st.GetCase(row.id));
    if (state) c.state = static_cast<CaseState>(state->state);
    KL_RETURN_IF_ERROR(st.ForEachMatchOf(row.id, [&](const store::MatchRow& m) {
      if (m.request_id != row.id) return OkStatus();
      switch (m.status) {
        case store::MatchStatus::kPotential:
          ++c.potential;
          break;
        case store::MatchStatus::kProposed:
          ++c.proposed;
          break;
        case store::MatchStatus::kConfirmed:
          ++c.confirmed;
          break;
        case store::MatchStatus::kRejected:
          ++c.rejected;
          break;
      }
      return OkStatus();
    }));
    KL_ASSIGN_OR_RETURN(record::Record rec, DecryptFor(p, row, now));
    c.name = DisplayName(rec);
    out.push_back(std::move(c));
  }
  return out;
}

Result<EnquirerView> Node::GetEnquirerView(const Principal& p, std::int64_t request_id,
                                           std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  KL_RETURN_IF_ERROR(Authorize(p, Action::kEnquirerView, std::nullopt));
  KL_ASSIGN_OR_RETURN(store::RecordRow req, GetRow(request_id));
  if (req.kind != static_cast<std::uint8_t>(record::Kind::kRequest)) {
    return NotFoundError("no tracing request " + FormatRegistryId(request_id));
  }
  KL_RETURN_IF_ERROR(Authorize(p, Action::kEnquirerView, req.office_id));
  EnquirerView view;
  view.request_id = request_id;
  KL_ASSIGN_OR_RETURN(std::optional<store::CaseRow> c, reg_->store_->GetCase(request_id));
  if (c) view.state = static_cast<CaseState>(c->state);
  // The confirmed match with a decision, if any (the latest decided).
  std::optional<store::MatchRow> confirmed;
  std::optional<store::DisclosureRow> disclosure;
  KL_RETURN_IF_ERROR(reg_->store_->ForEachMatchOf(request_id, [&](const store::MatchRow& m) {
    if (m.status != store::MatchStatus::kConfirmed || m.request_id != request_id) return OkStatus();
    KL_ASSIGN_OR_RETURN(std::optional<store::DisclosureRow> d, reg_->store_->GetDisclosure(m.id));
    if (d && (!disclosure || d->decided_at >= disclosure->decided_at)) {
      confirmed = m;
      disclosure = *d;
    }
    return OkStatus();
  }));
  if (!disclosure) {
    KL_RETURN_IF_ERROR(AuditAs(p.user, "enquirer_view.read", CaseTarget(request_id),
                               R"({"outcome":"searching"})"));
    return view;
  }
  const auto decision = static_cast<DisclosureDecision>(disclosure->decision);
  view.outcome = std::string(DisclosureDecisionName(decision));
  KL_RETURN_IF_ERROR(AuditAs(p.user, "enquirer_view.read", CaseTarget(request_id),
                             Json({{"outcome", view.outcome}, {"match", confirmed->id}})));
  if (decision == DisclosureDecision::kMessage && !disclosure->sealed.empty()) {
    KL_ASSIGN_OR_RETURN(crypto::SecretBytes key,
                        crypto::OpenSecret(reg_->record_wrap_key_, disclosure->wrapped_key,
                                           DisclosureKeyAd(confirmed->id)));
    KL_ASSIGN_OR_RETURN(view.message,
                        crypto::Open(key, disclosure->sealed, DisclosureAd(confirmed->id)));
  }
  if (decision == DisclosureDecision::kContact) {
    KL_ASSIGN_OR_RETURN(store::RecordRow per, GetRow(confirmed->person_id));
    KL_ASSIGN_OR_RETURN(record::Record rec, DecryptFor(p, per, now));
    auto add = [&](record::Field f) {
      if (rec.Has(f)) view.contact.emplace_back(std::string(record::FieldName(f)), rec.Get(f));
    };
    if (!(disclosure->withhold & kWithholdWhereabouts)) {
      for (record::Field f : kWhereabouts) add(f);
    }
    if (!(disclosure->withhold & kWithholdPhone)) add(record::Field::kPhone);
    if (!(disclosure->withhold & kWithholdEmail)) add(record::Field::kEmail);
  }
  return view;
}

Status Node::UpdateCase(const Principal& p, std::int64_t request_id, CaseState to,
                        std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  KL_RETURN_IF_ERROR(Authorize(p, Action::kUpdateCase, std::nullopt));
  KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*reg_->store_));
  KL_ASSIGN_OR_RETURN(store::RecordRow req, GetRow(request_id));
  if (req.kind != static_cast<std::uint8_t>(record::Kind::kRequest)) {
    return NotFoundError("no tracing request " + FormatRegistryId(request_id));
  }
  KL_RETURN_IF_ERROR(Authorize(p, Action::kUpdateCase, req.office_id));
  KL_ASSIGN_OR_RETURN(std::optional<store::CaseRow> c, reg_->store_->GetCase(request_id));
  const CaseState from = c ? static_cast<CaseState>(c->state) : CaseState::kOpen;
  bool ok = false;
  switch (to) {
    case CaseState::kEnquirerInformed:
      ok = from == CaseState::kDisclosureRecorded;
      break;
    case CaseState::kReunited:
      ok = from == CaseState::kEnquirerInformed;
      break;
    case CaseState::kClosed:
      ok = from != CaseState::kClosed && from != CaseState::kReunited;
      break;
    default:
      ok = false;  // the other states follow from decisions, not by hand
  }
  if (!ok) {
    return FailedPreconditionError("a case cannot go from " + std::string(CaseStateName(from)) +
                                   " to " + std::string(CaseStateName(to)));
  }
  KL_RETURN_IF_ERROR(SetCase(p, request_id, to, now));
  KL_RETURN_IF_ERROR(AuditAs(p.user, "case.state", CaseTarget(request_id),
                             Json({{"from", CaseStateName(from)}, {"to", CaseStateName(to)}})));
  return txn.Commit();
}

// ---------------------------------------------------------------- Audit

Status Node::ReadAudit(const Principal& p, std::int64_t after_seq, std::int64_t limit,
                       const std::function<Status(const store::AuditRow&)>& fn) {
  std::lock_guard<std::mutex> lock(mu_);
  KL_RETURN_IF_ERROR(Authorize(p, Action::kReadAudit, std::nullopt));
  if (limit < 1 || limit > 10000) return InvalidArgumentError("limit must be 1..10000");
  KL_RETURN_IF_ERROR(AuditAs(p.user, "audit.read", "audit-log",
                             Json({{"after", after_seq}, {"limit", limit}})));
  std::int64_t n = 0;
  Status stop = CancelledError("enough");
  Status s = reg_->store_->ForEachAudit([&](const store::AuditRow& r) {
    if (r.seq <= after_seq) return OkStatus();
    if (n >= limit) return stop;
    ++n;
    return fn(r);
  });
  return s.code() == StatusCode::kCancelled && s.message() == "enough" ? OkStatus() : s;
}

Result<store::AuditVerifyReport> Node::VerifyAudit(const Principal& p) {
  std::lock_guard<std::mutex> lock(mu_);
  KL_RETURN_IF_ERROR(Authorize(p, Action::kReadAudit, std::nullopt));
  KL_ASSIGN_OR_RETURN(store::AuditVerifyReport report, reg_->audit_->Verify());
  if (report.ok) {
    KL_RETURN_IF_ERROR(AuditAs(p.user, "audit.verify", "audit-log", R"({"ok":true})"));
  }
  return report;
}

Result<RetentionReport> Node::RunRetention(std::int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  store::Store& st = *reg_->store_;
  store::RecordFilter due;
  due.review_due_by = now;
  RetentionReport report;
  KL_RETURN_IF_ERROR(st.ForEachRecord(due, [&](const store::RecordRow& r) {
    report.ids.push_back(r.id);
    return OkStatus();
  }));
  if (report.ids.empty()) return report;
  KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(st));
  for (std::int64_t id : report.ids) KL_RETURN_IF_ERROR(st.ShredRecord(id));
  KL_RETURN_IF_ERROR(AuditAs(options_.actor, "retention.shred", CompressIdRanges(report.ids),
                             Json({{"records", report.ids.size()}, {"due_by", now}})));
  KL_RETURN_IF_ERROR(txn.Commit());
  report.shredded = static_cast<std::int64_t>(report.ids.size());
  KL_RETURN_IF_ERROR(st.Checkpoint());
  return report;
}

}  // namespace kinlink::engine
