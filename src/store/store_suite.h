// The backend-agnostic test suite every store::Store backend must pass.
// A backend's test file includes this header once and instantiates it with
// a factory that returns a fresh, empty store on each call:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSuite, ::testing::Values(StoreFactory(MakeStore)),
//                            [](const auto&) { return std::string("Sqlite"); });
//
// Defines tests (TEST_P), so include it from exactly one file per test
// binary.
#ifndef KINLINK_STORE_STORE_SUITE_H_
#define KINLINK_STORE_STORE_SUITE_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "store/store.h"

namespace kinlink::store {

using StoreFactory = std::function<Result<std::unique_ptr<Store>>()>;

class StoreSuite : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<Store>> made = GetParam()();
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    store_ = std::move(made).value();
  }

  // A live record with distinct values in every field.
  static RecordRow MakeRow(std::uint8_t kind, std::string source_token,
                           std::int64_t created_at = 1700000000) {
    RecordRow row;
    row.kind = kind;
    row.version = 1;
    row.created_at = created_at;
    row.updated_at = created_at + 5;
    row.import_id = 0;
    row.source_token = std::move(source_token);
    row.status_token = std::string("st\0A", 4);
    row.wrapped_key = std::string("wk\0\xff key", 8);
    row.sealed = std::string("sealed\0\x01\x02 bytes", 15);
    return row;
  }

  std::int64_t Insert(const RecordRow& row) {
    Result<std::int64_t> id = store_->InsertRecord(row);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.value_or(-1);
  }

  std::vector<std::int64_t> ListIds(const RecordFilter& filter) {
    std::vector<std::int64_t> ids;
    Status status = store_->ForEachRecord(filter, [&](const RecordRow& row) {
      ids.push_back(row.id);
      return OkStatus();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    Result<std::int64_t> count = store_->CountRecords(filter);
    EXPECT_TRUE(count.ok()) << count.status().ToString();
    EXPECT_EQ(count.value_or(-1), static_cast<std::int64_t>(ids.size()));
    return ids;
  }

  static AuditRow MakeAudit(std::int64_t seq) {
    AuditRow row;
    row.seq = seq;
    row.time = 1700000000 + seq;
    row.actor = "operator";
    row.action = "import";
    row.target = "KL-" + std::to_string(seq);
    row.detail = "rows=3";
    row.mac = std::string(32, static_cast<char>(seq));
    return row;
  }

  std::unique_ptr<Store> store_;
};

TEST_P(StoreSuite, MetaRoundTripsBinaryValues) {
  Result<std::optional<std::string>> missing = store_->GetMeta("wrapped_master");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  const std::string value("\0\x01\xfe\xff value", 10);
  ASSERT_TRUE(store_->SetMeta("wrapped_master", value).ok());
  Result<std::optional<std::string>> got = store_->GetMeta("wrapped_master");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, value);

  ASSERT_TRUE(store_->SetMeta("wrapped_master", "second").ok());
  EXPECT_EQ(**store_->GetMeta("wrapped_master"), "second");

  ASSERT_TRUE(store_->SetMeta("empty", "").ok());
  Result<std::optional<std::string>> empty = store_->GetMeta("empty");
  ASSERT_TRUE(empty.ok());
  ASSERT_TRUE(empty->has_value());
  EXPECT_EQ(**empty, "");
}

TEST_P(StoreSuite, InsertAssignsIncreasingIdsAndRoundTrips) {
  RecordRow first = MakeRow(1, "token-a");
  first.import_id = 7;
  std::int64_t id1 = Insert(first);
  std::int64_t id2 = Insert(MakeRow(2, "token-b"));
  EXPECT_GT(id1, 0);
  EXPECT_GT(id2, id1);

  Result<RecordRow> got = store_->GetRecord(id1);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->id, id1);
  EXPECT_EQ(got->kind, 1);
  EXPECT_EQ(got->version, 1);
  EXPECT_EQ(got->created_at, first.created_at);
  EXPECT_EQ(got->updated_at, first.updated_at);
  EXPECT_EQ(got->import_id, 7);
  EXPECT_EQ(got->source_token, "token-a");
  EXPECT_EQ(got->status_token, first.status_token);
  EXPECT_EQ(got->wrapped_key, first.wrapped_key);
  EXPECT_EQ(got->sealed, first.sealed);
}

TEST_P(StoreSuite, InsertKeepsEmptyValuesDistinctFromShredded) {
  RecordRow row = MakeRow(3, "");
  row.status_token = "";
  row.wrapped_key = std::string();
  row.sealed = "";
  std::int64_t id = Insert(row);
  Result<RecordRow> got = store_->GetRecord(id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->source_token, "");
  EXPECT_EQ(got->status_token, "");
  ASSERT_TRUE(got->wrapped_key.has_value());
  EXPECT_EQ(*got->wrapped_key, "");
  EXPECT_EQ(got->sealed, "");
}

TEST_P(StoreSuite, InsertWithExplicitIdAndDuplicateId) {
  RecordRow row = MakeRow(1, "t1");
  row.id = 500;
  EXPECT_EQ(Insert(row), 500);
  RecordRow again = MakeRow(1, "t2");
  again.id = 500;
  Result<std::int64_t> dup = store_->InsertRecord(again);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  // The next assigned id follows the explicit one.
  EXPECT_GT(Insert(MakeRow(1, "t3")), 500);
}

TEST_P(StoreSuite, DuplicateSourceTokenIsAlreadyExists) {
  Insert(MakeRow(1, "same"));
  Result<std::int64_t> dup = store_->InsertRecord(MakeRow(1, "same"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  // The message names the problem, never the token.
  EXPECT_EQ(dup.status().message().find("same"), std::string::npos);
  // Many records without a token are fine.
  Insert(MakeRow(1, ""));
  Insert(MakeRow(1, ""));
  Result<std::int64_t> count = store_->CountRecords({});
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 3);
}

TEST_P(StoreSuite, FindBySourceToken) {
  std::int64_t id = Insert(MakeRow(1, "needle"));
  Insert(MakeRow(1, "other"));
  Insert(MakeRow(1, ""));
  Result<std::vector<std::int64_t>> found = store_->FindBySourceToken("needle");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, std::vector<std::int64_t>{id});
  Result<std::vector<std::int64_t>> none = store_->FindBySourceToken("absent");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  Result<std::vector<std::int64_t>> empty = store_->FindBySourceToken("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_P(StoreSuite, GetMissingRecordIsNotFound) {
  Result<RecordRow> got = store_->GetRecord(12345);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound);
}

TEST_P(StoreSuite, UpdateRecordChecksVersion) {
  RecordRow row = MakeRow(1, "src");
  row.id = Insert(row);

  RecordRow next = row;
  next.version = 2;
  next.updated_at = row.updated_at + 100;
  next.sealed = "new ciphertext";
  next.status_token = "new status";
  next.source_token = "ignored";
  next.wrapped_key = "ignored";
  ASSERT_TRUE(store_->UpdateRecord(next, 1).ok());

  Result<RecordRow> got = store_->GetRecord(row.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(got->sealed, "new ciphertext");
  EXPECT_EQ(got->updated_at, next.updated_at);
  EXPECT_EQ(got->status_token, "new status");
  EXPECT_EQ(got->created_at, row.created_at);
  EXPECT_EQ(got->source_token, "src");           // not part of the payload
  EXPECT_EQ(got->wrapped_key, row.wrapped_key);  // only SetWrappedKey changes it

  // A writer that read version 1 lost the race.
  RecordRow stale = row;
  stale.version = 2;
  stale.sealed = "stale";
  Status lost = store_->UpdateRecord(stale, 1);
  EXPECT_EQ(lost.code(), StatusCode::kAborted) << lost.ToString();
  EXPECT_EQ(store_->GetRecord(row.id)->sealed, "new ciphertext");

  RecordRow missing = next;
  missing.id = 999999;
  missing.version = 3;
  EXPECT_EQ(store_->UpdateRecord(missing, 2).code(), StatusCode::kNotFound);

  // The version must move forward.
  RecordRow same = next;
  EXPECT_EQ(store_->UpdateRecord(same, 2).code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreSuite, SetWrappedKey) {
  std::int64_t id = Insert(MakeRow(1, "a"));
  ASSERT_TRUE(store_->SetWrappedKey(id, "rewrapped").ok());
  EXPECT_EQ(store_->GetRecord(id)->wrapped_key, std::optional<std::string>("rewrapped"));
  EXPECT_EQ(store_->GetRecord(id)->version, 1);  // the payload is untouched
  EXPECT_EQ(store_->SetWrappedKey(424242, "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->SetWrappedKey(id, "").code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreSuite, ShredLeavesTombstone) {
  std::int64_t id = Insert(MakeRow(4, "tok"));
  std::int64_t kept = Insert(MakeRow(4, "kept"));
  ASSERT_TRUE(store_->ShredRecord(id).ok());

  Result<RecordRow> got = store_->GetRecord(id);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->wrapped_key.has_value());
  EXPECT_EQ(got->sealed, "");
  EXPECT_EQ(got->source_token, "");
  EXPECT_EQ(got->status_token, "");
  EXPECT_EQ(got->version, 2);
  EXPECT_EQ(got->kind, 4);

  EXPECT_TRUE(store_->FindBySourceToken("tok")->empty());
  // The token is free again: the same source can be registered anew.
  Insert(MakeRow(4, "tok"));
  EXPECT_EQ(store_->GetRecord(kept)->source_token, "kept");

  // A tombstone cannot be revived by an update or a rewrap.
  RecordRow revive = MakeRow(4, "");
  revive.id = id;
  revive.version = 3;
  EXPECT_EQ(store_->UpdateRecord(revive, 2).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->SetWrappedKey(id, "key").code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(store_->GetRecord(id)->wrapped_key.has_value());

  EXPECT_EQ(store_->ShredRecord(777777).code(), StatusCode::kNotFound);
}

TEST_P(StoreSuite, ForEachRecordFilters) {
  RecordRow a = MakeRow(1, "a", 100);
  a.status_token = "missing";
  RecordRow b = MakeRow(2, "b", 200);
  b.status_token = "found";
  RecordRow c = MakeRow(1, "c", 300);
  c.status_token = "found";
  RecordRow d = MakeRow(1, "d", 400);
  d.status_token = "";
  std::int64_t ia = Insert(a), ib = Insert(b), ic = Insert(c), id = Insert(d);
  std::int64_t ie = Insert(MakeRow(1, "e", 250));
  ASSERT_TRUE(store_->ShredRecord(ie).ok());

  using Ids = std::vector<std::int64_t>;
  EXPECT_EQ(ListIds({}), (Ids{ia, ib, ic, id}));
  RecordFilter with_shredded;
  with_shredded.include_shredded = true;
  EXPECT_EQ(ListIds(with_shredded), (Ids{ia, ib, ic, id, ie}));

  RecordFilter kind1;
  kind1.kind = 1;
  EXPECT_EQ(ListIds(kind1), (Ids{ia, ic, id}));
  kind1.include_shredded = true;
  EXPECT_EQ(ListIds(kind1), (Ids{ia, ic, id, ie}));

  RecordFilter found;
  found.status_token = "found";
  EXPECT_EQ(ListIds(found), (Ids{ib, ic}));
  found.kind = 2;
  EXPECT_EQ(ListIds(found), (Ids{ib}));

  RecordFilter no_status;
  no_status.status_token = "";
  EXPECT_EQ(ListIds(no_status), (Ids{id}));

  RecordFilter range;
  range.created_from = 200;
  range.created_to = 300;  // both ends inclusive
  EXPECT_EQ(ListIds(range), (Ids{ib, ic}));
  range.include_shredded = true;
  EXPECT_EQ(ListIds(range), (Ids{ib, ic, ie}));  // id order, not time order
  RecordFilter from_only;
  from_only.created_from = 301;
  EXPECT_EQ(ListIds(from_only), (Ids{id}));
  RecordFilter to_only;
  to_only.created_to = 99;
  EXPECT_EQ(ListIds(to_only), Ids{});

  // The records come back whole.
  RecordFilter only_c;
  only_c.created_from = 300;
  only_c.created_to = 300;
  Status status = store_->ForEachRecord(only_c, [&](const RecordRow& row) {
    EXPECT_EQ(row.source_token, "c");
    EXPECT_EQ(row.status_token, "found");
    EXPECT_EQ(row.sealed, c.sealed);
    EXPECT_EQ(row.wrapped_key, c.wrapped_key);
    return OkStatus();
  });
  EXPECT_TRUE(status.ok());
}

TEST_P(StoreSuite, ForEachRecordStopsAtFirstError) {
  for (int i = 0; i < 5; ++i) Insert(MakeRow(1, "t" + std::to_string(i)));
  int calls = 0;
  Status status = store_->ForEachRecord({}, [&](const RecordRow&) {
    ++calls;
    return calls == 2 ? CancelledError("enough") : OkStatus();
  });
  EXPECT_EQ(status.code(), StatusCode::kCancelled);
  EXPECT_EQ(status.message(), "enough");
  EXPECT_EQ(calls, 2);
}

TEST_P(StoreSuite, CallbackMayUseTheStore) {
  for (int i = 0; i < 3; ++i) Insert(MakeRow(1, "t" + std::to_string(i)));
  int inner_total = 0;
  Status status = store_->ForEachRecord({}, [&](const RecordRow& row) {
    // The same query again, and a read, from inside the iteration.
    KL_RETURN_IF_ERROR(store_->ForEachRecord({}, [&](const RecordRow&) {
      ++inner_total;
      return OkStatus();
    }));
    KL_ASSIGN_OR_RETURN(RecordRow again, store_->GetRecord(row.id));
    EXPECT_EQ(again.source_token, row.source_token);
    return OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(inner_total, 9);
}

// What retention does: shred every match from inside the iteration.
TEST_P(StoreSuite, ShredWhileIterating) {
  for (int i = 0; i < 50; ++i) Insert(MakeRow(1, "t" + std::to_string(i), 1000 + i));
  RecordFilter old_ones;
  old_ones.created_to = 1029;
  int visited = 0;
  ASSERT_TRUE(store_->Begin().ok());
  Status status = store_->ForEachRecord(old_ones, [&](const RecordRow& row) {
    ++visited;
    return store_->ShredRecord(row.id);
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_TRUE(store_->Commit().ok());
  EXPECT_EQ(visited, 30);
  EXPECT_EQ(*store_->CountRecords({}), 20);
  RecordFilter all;
  all.include_shredded = true;
  EXPECT_EQ(*store_->CountRecords(all), 50);
  EXPECT_EQ(*store_->CountRecords(old_ones), 0);
}

TEST_P(StoreSuite, TransactionCommitAndRollback) {
  {
    Result<Transaction> txn = Transaction::Begin(*store_);
    ASSERT_TRUE(txn.ok()) << txn.status().ToString();
    EXPECT_TRUE(store_->InTransaction());
    Insert(MakeRow(1, "committed"));
    ASSERT_TRUE(txn->Commit().ok());
    EXPECT_FALSE(store_->InTransaction());
    EXPECT_EQ(txn->Commit().code(), StatusCode::kFailedPrecondition);
  }
  {
    Result<Transaction> txn = Transaction::Begin(*store_);
    ASSERT_TRUE(txn.ok());
    Insert(MakeRow(1, "dropped"));
    ASSERT_TRUE(store_->SetMeta("k", "v").ok());
    // Destroyed without Commit: rolled back.
  }
  EXPECT_FALSE(store_->InTransaction());
  EXPECT_EQ(store_->FindBySourceToken("committed")->size(), 1u);
  EXPECT_TRUE(store_->FindBySourceToken("dropped")->empty());
  EXPECT_FALSE(store_->GetMeta("k")->has_value());

  ASSERT_TRUE(store_->Begin().ok());
  Insert(MakeRow(1, "explicit"));
  ASSERT_TRUE(store_->Rollback().ok());
  EXPECT_TRUE(store_->FindBySourceToken("explicit")->empty());
}

TEST_P(StoreSuite, TransactionMisuse) {
  EXPECT_EQ(store_->Commit().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->Rollback().ok());  // nothing open: a no-op
  ASSERT_TRUE(store_->Begin().ok());
  EXPECT_EQ(store_->Begin().code(), StatusCode::kFailedPrecondition);  // not nested
  Result<Transaction> nested = Transaction::Begin(*store_);
  EXPECT_FALSE(nested.ok());
  EXPECT_TRUE(store_->InTransaction());  // the failed nesting closed nothing
  ASSERT_TRUE(store_->Commit().ok());
}

TEST_P(StoreSuite, MovedTransactionRollsBackOnce) {
  Result<Transaction> txn = Transaction::Begin(*store_);
  ASSERT_TRUE(txn.ok());
  {
    Transaction moved(std::move(*txn));
    Insert(MakeRow(1, "moved"));
  }
  EXPECT_FALSE(store_->InTransaction());
  EXPECT_TRUE(store_->FindBySourceToken("moved")->empty());
  // The moved-from object no longer owns the transaction.
  EXPECT_EQ(txn->Commit().code(), StatusCode::kFailedPrecondition);
}

TEST_P(StoreSuite, Imports) {
  ImportRow import;
  import.started_at = 1000;
  import.kind = 2;
  Result<std::int64_t> id1 = store_->InsertImport(import);
  Result<std::int64_t> id2 = store_->InsertImport(import);
  ASSERT_TRUE(id1.ok() && id2.ok());
  EXPECT_GT(*id1, 0);
  EXPECT_GT(*id2, *id1);

  ImportRow finished = import;
  finished.id = *id1;
  finished.finished_at = 1010;
  finished.accepted = 40;
  finished.rejected = 2;
  EXPECT_TRUE(store_->FinishImport(finished).ok());
  finished.id = *id2 + 100;
  EXPECT_EQ(store_->FinishImport(finished).code(), StatusCode::kNotFound);
}

TEST_P(StoreSuite, AuditAppendsInSequence) {
  Result<std::optional<AuditRow>> none = store_->LastAudit();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  EXPECT_EQ(store_->AppendAudit(MakeAudit(2)).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->AppendAudit(MakeAudit(0)).code(), StatusCode::kAlreadyExists);
  for (int seq = 1; seq <= 3; ++seq) ASSERT_TRUE(store_->AppendAudit(MakeAudit(seq)).ok());
  EXPECT_EQ(store_->AppendAudit(MakeAudit(3)).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->AppendAudit(MakeAudit(5)).code(), StatusCode::kFailedPrecondition);

  Result<std::optional<AuditRow>> last = store_->LastAudit();
  ASSERT_TRUE(last.ok());
  ASSERT_TRUE(last->has_value());
  AuditRow expected = MakeAudit(3);
  EXPECT_EQ((*last)->seq, 3);
  EXPECT_EQ((*last)->time, expected.time);
  EXPECT_EQ((*last)->actor, expected.actor);
  EXPECT_EQ((*last)->action, expected.action);
  EXPECT_EQ((*last)->target, expected.target);
  EXPECT_EQ((*last)->detail, expected.detail);
  EXPECT_EQ((*last)->mac, expected.mac);

  std::vector<std::int64_t> seqs;
  ASSERT_TRUE(store_
                  ->ForEachAudit([&](const AuditRow& row) {
                    seqs.push_back(row.seq);
                    EXPECT_EQ(row.target, "KL-" + std::to_string(row.seq));
                    return OkStatus();
                  })
                  .ok());
  EXPECT_EQ(seqs, (std::vector<std::int64_t>{1, 2, 3}));

  int calls = 0;
  Status stopped = store_->ForEachAudit([&](const AuditRow&) {
    ++calls;
    return AbortedError("stop");
  });
  EXPECT_EQ(stopped.code(), StatusCode::kAborted);
  EXPECT_EQ(calls, 1);
}

TEST_P(StoreSuite, AuditRolledBackWithTransaction) {
  ASSERT_TRUE(store_->AppendAudit(MakeAudit(1)).ok());
  {
    Result<Transaction> txn = Transaction::Begin(*store_);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(store_->AppendAudit(MakeAudit(2)).ok());
  }
  EXPECT_EQ((*store_->LastAudit())->seq, 1);
  EXPECT_TRUE(store_->AppendAudit(MakeAudit(2)).ok());
}

TEST_P(StoreSuite, CheckpointAndIntegrity) {
  Insert(MakeRow(1, "x"));
  EXPECT_TRUE(store_->Checkpoint().ok());
  Result<std::string> check = store_->IntegrityCheck();
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(*check, "ok");
  ASSERT_TRUE(store_->Begin().ok());
  EXPECT_EQ(store_->Checkpoint().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->Rollback().ok());
}


}  // namespace kinlink::store

// The matching tables (schema v2) are tested in store_matching_suite.h.
#include "store/store_matching_suite.h"  // IWYU pragma: export
#include "store/store_accounts_suite.h"  // IWYU pragma: export

#endif  // KINLINK_STORE_STORE_SUITE_H_
