// The shared store suite, part two: per-record encodings, blocking tokens
// and potential matches. Included by store_suite.h (the fixture lives
// there); not to be included on its own.
#ifndef KINLINK_STORE_STORE_MATCHING_SUITE_H_
#define KINLINK_STORE_STORE_MATCHING_SUITE_H_

namespace kinlink::store {

TEST_P(StoreSuite, EncodingsRoundTripAndReplace) {
  std::int64_t id = Insert(MakeRow(1, "enc-a"));
  Result<std::optional<EncodingRow>> none = store_->GetEncoding(id);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_FALSE(none->has_value());

  const std::string blob("\0\x01\xfe encoded", 11);
  ASSERT_TRUE(store_->PutEncoding(id, 2, blob).ok());
  Result<std::optional<EncodingRow>> got = store_->GetEncoding(id);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->record_id, id);
  EXPECT_EQ((*got)->kind, 2);
  EXPECT_EQ((*got)->blob, blob);

  ASSERT_TRUE(store_->PutEncoding(id, 2, "second").ok());
  EXPECT_EQ((*store_->GetEncoding(id))->blob, "second");

  Status missing = store_->PutEncoding(id + 100, 1, "x");
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  std::int64_t shredded = Insert(MakeRow(1, "enc-b"));
  ASSERT_TRUE(store_->ShredRecord(shredded).ok());
  EXPECT_EQ(store_->PutEncoding(shredded, 1, "x").code(), StatusCode::kFailedPrecondition);
}

TEST_P(StoreSuite, BlockingTokensFindRecordsInIdOrderWithLimit) {
  std::int64_t a = Insert(MakeRow(1, "blk-a"));
  std::int64_t b = Insert(MakeRow(2, "blk-b"));
  std::int64_t c = Insert(MakeRow(1, "blk-c"));
  const std::string shared("\x00tok-shared", 11);
  const std::vector<std::string> ta = {shared, "only-a"};
  const std::vector<std::string> tb = {shared};
  const std::vector<std::string> tc = {shared, shared};  // duplicate ignored
  ASSERT_TRUE(store_->AddBlockingTokens(c, tc).ok());
  ASSERT_TRUE(store_->AddBlockingTokens(a, ta).ok());
  ASSERT_TRUE(store_->AddBlockingTokens(b, tb).ok());
  ASSERT_TRUE(store_->AddBlockingTokens(a, ta).ok());  // again: no error, no duplicate

  Result<std::vector<std::int64_t>> all = store_->FindByBlockingToken(shared, 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, (std::vector<std::int64_t>{a, b, c}));
  EXPECT_EQ(*store_->FindByBlockingToken(shared, 2), (std::vector<std::int64_t>{a, b}));
  EXPECT_EQ(*store_->FindByBlockingToken("only-a", 100), (std::vector<std::int64_t>{a}));
  EXPECT_TRUE(store_->FindByBlockingToken("absent", 100)->empty());
  EXPECT_TRUE(store_->FindByBlockingToken("", 100)->empty());
  EXPECT_TRUE(store_->FindByBlockingToken(shared, 0)->empty());

  const std::vector<std::string> bad = {"ok", ""};
  EXPECT_EQ(store_->AddBlockingTokens(a, bad).code(), StatusCode::kInvalidArgument);
}

TEST_P(StoreSuite, BlockingTokensAreCountedAndShreddedRecordsLeaveTheCount) {
  std::int64_t a = Insert(MakeRow(1, "cnt-a"));
  std::int64_t b = Insert(MakeRow(2, "cnt-b"));
  const std::string shared("\x00cnt-shared", 11);
  const std::vector<std::string> ta = {shared, "cnt-only-a"};
  const std::vector<std::string> tb = {shared};
  ASSERT_TRUE(store_->AddBlockingTokens(a, ta).ok());
  ASSERT_TRUE(store_->AddBlockingTokens(b, tb).ok());
  ASSERT_TRUE(store_->AddBlockingTokens(b, tb).ok());  // again: still one

  Result<std::int64_t> n = store_->CountByBlockingToken(shared);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(*store_->CountByBlockingToken("cnt-only-a"), 1);
  EXPECT_EQ(*store_->CountByBlockingToken("absent"), 0);
  EXPECT_EQ(*store_->CountByBlockingToken(""), 0);
  // The same token minus its last byte is another token.
  EXPECT_EQ(*store_->CountByBlockingToken(shared.substr(0, 10)), 0);

  ASSERT_TRUE(store_->ShredRecord(a).ok());
  EXPECT_EQ(*store_->CountByBlockingToken(shared), 1);
  EXPECT_EQ(*store_->CountByBlockingToken("cnt-only-a"), 0);
}

TEST_P(StoreSuite, MatchesUpsertKeepStatusAndOrderByProbability) {
  MatchRow m;
  m.request_id = 1;
  m.person_id = 2;
  m.probability = 0.7;
  m.weight = 1.2;
  m.explanation = R"({"fields":[]})";
  m.created_at = 1700000000;
  Result<std::int64_t> id1 = store_->PutMatch(m);
  ASSERT_TRUE(id1.ok()) << id1.status().ToString();
  m.person_id = 3;
  m.probability = 0.9;
  Result<std::int64_t> id2 = store_->PutMatch(m);
  ASSERT_TRUE(id2.ok());
  EXPECT_NE(*id1, *id2);

  ASSERT_TRUE(store_->SetMatchStatus(*id1, MatchStatus::kConfirmed).ok());
  // The same pair again: updated in place, status kept.
  m.person_id = 2;
  m.probability = 0.95;
  m.explanation = "{}";
  Result<std::int64_t> again = store_->PutMatch(m);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *id1);

  std::vector<MatchRow> rows;
  ASSERT_TRUE(store_->ForEachMatch(std::nullopt, [&](const MatchRow& r) {
                      rows.push_back(r);
                      return OkStatus();
                    }).ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, *id1);
  EXPECT_DOUBLE_EQ(rows[0].probability, 0.95);
  EXPECT_EQ(rows[0].explanation, "{}");
  EXPECT_EQ(rows[0].status, MatchStatus::kConfirmed);
  EXPECT_EQ(rows[0].created_at, 1700000000);
  EXPECT_EQ(rows[1].id, *id2);
  EXPECT_EQ(rows[1].status, MatchStatus::kPotential);

  rows.clear();
  ASSERT_TRUE(store_->ForEachMatch(MatchStatus::kPotential, [&](const MatchRow& r) {
                      rows.push_back(r);
                      return OkStatus();
                    }).ok());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].person_id, 3);

  EXPECT_EQ(store_->SetMatchStatus(*id2 + 100, MatchStatus::kRejected).code(),
            StatusCode::kNotFound);
  m.request_id = 0;
  EXPECT_EQ(store_->PutMatch(m).status().code(), StatusCode::kInvalidArgument);
  Status stopped = store_->ForEachMatch(std::nullopt, [](const MatchRow&) {
    return CancelledError("stop");
  });
  EXPECT_EQ(stopped.code(), StatusCode::kCancelled);
}

TEST_P(StoreSuite, ShredRemovesEncodingTokensAndMatches) {
  std::int64_t request = Insert(MakeRow(1, "sh-r"));
  std::int64_t person = Insert(MakeRow(2, "sh-p"));
  std::int64_t other = Insert(MakeRow(2, "sh-o"));
  const std::vector<std::string> tokens = {"t1", "t2"};
  for (std::int64_t id : {request, person, other}) {
    ASSERT_TRUE(store_->PutEncoding(id, 1, "blob").ok());
    ASSERT_TRUE(store_->AddBlockingTokens(id, tokens).ok());
  }
  MatchRow m;
  m.request_id = request;
  m.person_id = person;
  m.probability = 0.8;
  ASSERT_TRUE(store_->PutMatch(m).ok());
  m.person_id = other;
  ASSERT_TRUE(store_->PutMatch(m).ok());
  m.request_id = other + 1;  // a match not involving the person
  ASSERT_TRUE(store_->PutMatch(m).ok());

  ASSERT_TRUE(store_->ShredRecord(person).ok());
  EXPECT_FALSE(store_->GetEncoding(person)->has_value());
  EXPECT_TRUE(store_->GetEncoding(request)->has_value());
  EXPECT_EQ(*store_->FindByBlockingToken("t1", 10), (std::vector<std::int64_t>{request, other}));
  std::vector<std::int64_t> persons;
  ASSERT_TRUE(store_->ForEachMatch(std::nullopt, [&](const MatchRow& r) {
                      persons.push_back(r.person_id);
                      return OkStatus();
                    }).ok());
  EXPECT_EQ(persons, (std::vector<std::int64_t>{other, other}));

  ASSERT_TRUE(store_->ShredRecord(request).ok());
  persons.clear();
  ASSERT_TRUE(store_->ForEachMatch(std::nullopt, [&](const MatchRow& r) {
                      persons.push_back(r.person_id);
                      return OkStatus();
                    }).ok());
  EXPECT_EQ(persons.size(), 1u);  // only the one with another request
}

TEST_P(StoreSuite, PartnerMatchesAreKeptByTheirReferenceBesideTheRegistrysOwn) {
  std::int64_t request = Insert(MakeRow(1, "pm-r"));
  std::int64_t person = Insert(MakeRow(2, "pm-p"));
  MatchRow local;
  local.request_id = request;
  local.person_id = person;
  local.probability = 0.7;
  Result<std::int64_t> local_id = store_->PutMatch(local);
  ASSERT_TRUE(local_id.ok()) << local_id.status().ToString();

  // Two partner matches of one request: the pair (request, 0) repeats, the
  // references do not.
  MatchRow a;
  a.request_id = request;
  a.probability = 0.95;
  a.weight = 9.5;
  a.explanation = R"({"source":"hub"})";
  a.partner = "amman";
  a.partner_ref = "0123456789abcdef0123456789abcdef";
  a.created_at = 100;
  Result<std::int64_t> a_id = store_->PutMatch(a);
  ASSERT_TRUE(a_id.ok()) << a_id.status().ToString();
  MatchRow b = a;
  b.partner = "beirut";
  b.partner_ref = "fedcba9876543210fedcba9876543210";
  b.probability = 0.9;
  Result<std::int64_t> b_id = store_->PutMatch(b);
  ASSERT_TRUE(b_id.ok()) << b_id.status().ToString();
  EXPECT_NE(*a_id, *b_id);
  EXPECT_NE(*a_id, *local_id);
  // A partner match of the person side.
  MatchRow c;
  c.person_id = person;
  c.probability = 0.99;
  c.partner = "amman";
  c.partner_ref = "11111111111111111111111111111111";
  ASSERT_TRUE(store_->PutMatch(c).ok());

  // The same reference again updates the score and keeps id and review.
  MatchRow reviewed = **store_->GetMatch(*a_id);
  reviewed.status = MatchStatus::kProposed;
  reviewed.proposed_by = 7;
  ASSERT_TRUE(store_->UpdateMatchReview(reviewed).ok());
  a.probability = 0.97;
  EXPECT_EQ(*store_->PutMatch(a), *a_id);
  Result<std::optional<MatchRow>> got = store_->GetMatch(*a_id);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->request_id, request);
  EXPECT_EQ((*got)->person_id, 0);
  EXPECT_EQ((*got)->partner, "amman");
  EXPECT_EQ((*got)->partner_ref, a.partner_ref);
  EXPECT_DOUBLE_EQ((*got)->probability, 0.97);
  EXPECT_EQ((*got)->status, MatchStatus::kProposed);
  EXPECT_EQ((*got)->proposed_by, 7);
  EXPECT_EQ((*got)->explanation, a.explanation);
  EXPECT_EQ((*store_->GetMatch(*local_id))->partner_ref, "");

  std::vector<std::string> refs;
  ASSERT_TRUE(store_->ForEachMatchOf(request, [&](const MatchRow& m) {
                      refs.push_back(m.partner_ref);
                      return OkStatus();
                    }).ok());
  EXPECT_EQ(refs, (std::vector<std::string>{a.partner_ref, b.partner_ref, ""}));
  refs.clear();
  ASSERT_TRUE(store_->ForEachMatchOf(0, [&](const MatchRow& m) {
                      refs.push_back(m.partner_ref);
                      return OkStatus();
                    }).ok());
  EXPECT_TRUE(refs.empty()) << "id 0 names no record";

  // Malformed partner rows.
  MatchRow bad = a;
  bad.partner_ref = "22222222222222222222222222222222";
  bad.person_id = person;  // both sides here
  EXPECT_EQ(store_->PutMatch(bad).status().code(), StatusCode::kInvalidArgument);
  bad.person_id = 0;
  bad.request_id = 0;  // neither side here
  EXPECT_EQ(store_->PutMatch(bad).status().code(), StatusCode::kInvalidArgument);
  bad.request_id = request;
  bad.partner = "";
  EXPECT_EQ(store_->PutMatch(bad).status().code(), StatusCode::kInvalidArgument);
  MatchRow half = local;
  half.partner = "amman";  // a partner without a reference
  EXPECT_EQ(store_->PutMatch(half).status().code(), StatusCode::kInvalidArgument);

  // Shredding the request takes its partner matches; the person's stays.
  ASSERT_TRUE(store_->ShredRecord(request).ok());
  refs.clear();
  ASSERT_TRUE(store_->ForEachMatch(std::nullopt, [&](const MatchRow& m) {
                      refs.push_back(m.partner_ref);
                      return OkStatus();
                    }).ok());
  EXPECT_EQ(refs, (std::vector<std::string>{c.partner_ref}));
}

TEST_P(StoreSuite, HubReferencesAreUniqueFoundByReferenceAndGoWithTheRecord) {
  std::int64_t r1 = Insert(MakeRow(1, "hr-1"));
  std::int64_t r2 = Insert(MakeRow(2, "hr-2"));
  std::int64_t r3 = Insert(MakeRow(1, "hr-3"));
  const std::string ref1(16, '\x01');
  const std::string ref2("\x00\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02\x02", 16);
  const std::string ref3(16, '\x03');
  ASSERT_TRUE(store_->PutHubRef({r2, ref2, 5}).ok());
  ASSERT_TRUE(store_->PutHubRef({r1, ref1, 5}).ok());
  ASSERT_TRUE(store_->PutHubRef({r3, ref3, 6}).ok());

  Result<std::optional<HubRefRow>> found = store_->FindHubRef(ref2);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->record_id, r2);
  EXPECT_EQ((*found)->ref, ref2);
  EXPECT_EQ((*found)->batch, 5);
  EXPECT_FALSE(store_->FindHubRef(std::string(16, '\x09'))->has_value());
  EXPECT_FALSE(store_->FindHubRef("")->has_value());

  std::vector<std::int64_t> batch;
  ASSERT_TRUE(store_->ForEachHubRef(5, [&](const HubRefRow& r) {
                      batch.push_back(r.record_id);
                      return OkStatus();
                    }).ok());
  EXPECT_EQ(batch, (std::vector<std::int64_t>{r1, r2}));

  EXPECT_EQ(store_->PutHubRef({r1, std::string(16, '\x07'), 7}).code(),
            StatusCode::kAlreadyExists);  // the record has one
  EXPECT_EQ(store_->PutHubRef({Insert(MakeRow(2, "hr-4")), ref1, 7}).code(),
            StatusCode::kAlreadyExists);  // the reference is taken
  EXPECT_EQ(store_->PutHubRef({r3 + 100, std::string(16, '\x08'), 7}).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->PutHubRef({r1, "short", 7}).code(), StatusCode::kInvalidArgument);

  ASSERT_TRUE(store_->ShredRecord(r2).ok());
  EXPECT_FALSE(store_->FindHubRef(ref2)->has_value());
  EXPECT_TRUE(store_->FindHubRef(ref1)->has_value());
}

}  // namespace kinlink::store

#endif  // KINLINK_STORE_STORE_MATCHING_SUITE_H_
