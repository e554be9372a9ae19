// The shared store suite, part three (schema 3): record ownership and review
// dates, the review of matches, disclosure decisions, cases, and the node
// server's offices, users and sessions. Included by store_suite.h (the
// fixture lives there); not to be included on its own.
#ifndef KINLINK_STORE_STORE_ACCOUNTS_SUITE_H_
#define KINLINK_STORE_STORE_ACCOUNTS_SUITE_H_

#include <limits>

namespace kinlink::store {

TEST_P(StoreSuite, RecordsKeepOfficeAndReviewDate) {
  RecordRow row = MakeRow(1, "own-a");
  row.office_id = 7;
  row.review_at = 1800000000;
  std::int64_t a = Insert(row);
  std::int64_t b = Insert(MakeRow(1, "own-b"));  // no review date
  RecordRow later = MakeRow(2, "own-c");
  later.review_at = 1900000000;
  std::int64_t c = Insert(later);

  RecordRow got = *store_->GetRecord(a);
  EXPECT_EQ(got.office_id, 7);
  EXPECT_EQ(got.review_at, 1800000000);
  EXPECT_EQ(store_->GetRecord(b)->office_id, 0);
  EXPECT_EQ(store_->GetRecord(b)->review_at, 0);

  RecordFilter due;
  due.review_due_by = 1850000000;
  std::vector<std::int64_t> ids;
  ASSERT_TRUE(store_->ForEachRecord(due, [&](const RecordRow& r) {
                      ids.push_back(r.id);
                      return OkStatus();
                    }).ok());
  EXPECT_EQ(ids, std::vector<std::int64_t>{a});
  due.review_due_by = 1900000000;
  EXPECT_EQ(*store_->CountRecords(due), 2);
  // Shredded records are not due again.
  ASSERT_TRUE(store_->ShredRecord(c).ok());
  EXPECT_EQ(*store_->CountRecords(due), 1);
}

TEST_P(StoreSuite, LatestRecordsOfAnOfficeComeNewestFirst) {
  auto row = [&](std::uint8_t kind, const std::string& token, std::int64_t office) {
    RecordRow r = MakeRow(kind, token);
    r.office_id = office;
    return Insert(r);
  };
  const std::int64_t a1 = row(2, "lat-a1", 7);
  row(2, "lat-b1", 8);
  const std::int64_t a2 = row(2, "lat-a2", 7);
  row(1, "lat-a3", 7);  // another kind
  const std::int64_t a4 = row(2, "lat-a4", 7);
  const std::int64_t a5 = row(2, "lat-a5", 7);
  ASSERT_TRUE(store_->ShredRecord(a5).ok());  // shredded: left out

  RecordFilter mine;
  mine.kind = 2;
  mine.office_id = 7;
  auto ids = [](const std::vector<RecordRow>& rows) {
    std::vector<std::int64_t> out;
    for (const RecordRow& r : rows) out.push_back(r.id);
    return out;
  };
  Result<std::vector<RecordRow>> all = store_->LatestRecords(mine, 10);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(ids(*all), (std::vector<std::int64_t>{a4, a2, a1}));
  ASSERT_FALSE(all->empty());
  EXPECT_EQ((*all)[0].sealed, MakeRow(2, "").sealed);  // whole rows
  EXPECT_EQ(ids(*store_->LatestRecords(mine, 2)), (std::vector<std::int64_t>{a4, a2}));
  EXPECT_EQ(*store_->CountRecords(mine), 3);
  EXPECT_EQ(ListIds(mine), (std::vector<std::int64_t>{a1, a2, a4}));

  RecordFilter none;
  none.office_id = 9;
  EXPECT_TRUE(store_->LatestRecords(none, 5)->empty());
  EXPECT_EQ(store_->LatestRecords(mine, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->LatestRecords(mine, kMaxLatestRecords + 1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(StoreSuite, MatchReviewRoundTrips) {
  std::int64_t req = Insert(MakeRow(2, "rev-r"));
  std::int64_t per = Insert(MakeRow(1, "rev-p"));
  MatchRow m;
  m.request_id = req;
  m.person_id = per;
  m.probability = 0.97;
  m.weight = 9.5;
  m.explanation = "{}";
  m.created_at = 1700000000;
  Result<std::int64_t> id = store_->PutMatch(m);
  ASSERT_TRUE(id.ok()) << id.status().ToString();

  Result<std::optional<MatchRow>> got = store_->GetMatch(*id);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->status, MatchStatus::kPotential);
  EXPECT_EQ((*got)->proposed_by, 0);
  EXPECT_EQ((*got)->reason, "");
  EXPECT_FALSE(store_->GetMatch(*id + 100)->has_value());

  MatchRow review = **got;
  review.status = MatchStatus::kProposed;
  review.proposed_by = 3;
  ASSERT_TRUE(store_->UpdateMatchReview(review).ok());
  review.status = MatchStatus::kRejected;
  review.decided_by = 4;
  review.decided_at = 1700000100;
  review.reason = "different_person";
  ASSERT_TRUE(store_->UpdateMatchReview(review).ok());
  MatchRow after = **store_->GetMatch(*id);
  EXPECT_EQ(after.status, MatchStatus::kRejected);
  EXPECT_EQ(after.proposed_by, 3);
  EXPECT_EQ(after.decided_by, 4);
  EXPECT_EQ(after.decided_at, 1700000100);
  EXPECT_EQ(after.reason, "different_person");
  // A new score of the same pair keeps the review.
  m.probability = 0.5;
  ASSERT_TRUE(store_->PutMatch(m).ok());
  EXPECT_EQ((*store_->GetMatch(*id))->status, MatchStatus::kRejected);
  EXPECT_EQ((*store_->GetMatch(*id))->reason, "different_person");

  review.id = *id + 100;
  EXPECT_EQ(store_->UpdateMatchReview(review).code(), StatusCode::kNotFound);

  // Matches of one record, from either side.
  std::int64_t per2 = Insert(MakeRow(1, "rev-p2"));
  m.person_id = per2;
  m.probability = 0.99;
  ASSERT_TRUE(store_->PutMatch(m).ok());
  std::vector<std::int64_t> persons;
  ASSERT_TRUE(store_->ForEachMatchOf(req, [&](const MatchRow& r) {
                      persons.push_back(r.person_id);
                      return OkStatus();
                    }).ok());
  EXPECT_EQ(persons, (std::vector<std::int64_t>{per2, per}));
  int of_person = 0;
  ASSERT_TRUE(store_->ForEachMatchOf(per2, [&](const MatchRow& r) {
                      EXPECT_EQ(r.request_id, req);
                      ++of_person;
                      return OkStatus();
                    }).ok());
  EXPECT_EQ(of_person, 1);
}

TEST_P(StoreSuite, DisclosuresAndCasesGoWithTheirRecords) {
  std::int64_t req = Insert(MakeRow(2, "dc-r"));
  std::int64_t per = Insert(MakeRow(1, "dc-p"));
  MatchRow m;
  m.request_id = req;
  m.person_id = per;
  m.probability = 0.9;
  m.explanation = "{}";
  std::int64_t match = *store_->PutMatch(m);

  EXPECT_FALSE(store_->GetDisclosure(match)->has_value());
  DisclosureRow d;
  d.match_id = match;
  d.decision = 2;
  d.withhold = 0x5;
  d.sealed = std::string("msg\0\xff", 5);
  d.wrapped_key = std::string("wk\0", 3);
  d.decided_by = 9;
  d.decided_at = 1700000200;
  ASSERT_TRUE(store_->PutDisclosure(d).ok());
  d.decision = 3;  // replaced
  ASSERT_TRUE(store_->PutDisclosure(d).ok());
  DisclosureRow got = **store_->GetDisclosure(match);
  EXPECT_EQ(got.decision, 3);
  EXPECT_EQ(got.withhold, 0x5u);
  EXPECT_EQ(got.sealed, d.sealed);
  EXPECT_EQ(got.wrapped_key, d.wrapped_key);
  EXPECT_EQ(got.decided_by, 9);
  EXPECT_EQ(got.decided_at, 1700000200);
  d.match_id = match + 100;
  EXPECT_EQ(store_->PutDisclosure(d).code(), StatusCode::kNotFound);

  EXPECT_FALSE(store_->GetCase(req)->has_value());
  CaseRow c;
  c.request_id = req;
  c.state = 1;
  c.updated_by = 9;
  c.updated_at = 1700000300;
  ASSERT_TRUE(store_->PutCase(c).ok());
  c.state = 4;
  ASSERT_TRUE(store_->PutCase(c).ok());
  EXPECT_EQ((*store_->GetCase(req))->state, 4);
  EXPECT_EQ((*store_->GetCase(req))->updated_at, 1700000300);
  c.request_id = req + 100;
  EXPECT_EQ(store_->PutCase(c).code(), StatusCode::kNotFound);

  // Erasing the found person removes the match and what was decided on it;
  // erasing the request removes its case.
  ASSERT_TRUE(store_->ShredRecord(per).ok());
  EXPECT_FALSE(store_->GetMatch(match)->has_value());
  EXPECT_FALSE(store_->GetDisclosure(match)->has_value());
  ASSERT_TRUE(store_->ShredRecord(req).ok());
  EXPECT_FALSE(store_->GetCase(req)->has_value());
}

TEST_P(StoreSuite, OfficesAndUsers) {
  OfficeRow office;
  office.name = "Aleppo";
  office.created_at = 1700000000;
  Result<std::int64_t> aleppo = store_->InsertOffice(office);
  ASSERT_TRUE(aleppo.ok()) << aleppo.status().ToString();
  EXPECT_EQ(store_->InsertOffice(office).status().code(), StatusCode::kAlreadyExists);
  office.name = "";
  EXPECT_EQ(store_->InsertOffice(office).status().code(), StatusCode::kInvalidArgument);
  office.name = "Kharkiv";
  std::int64_t kharkiv = *store_->InsertOffice(office);
  EXPECT_EQ((*store_->GetOffice(*aleppo))->name, "Aleppo");
  EXPECT_EQ((*store_->FindOffice("Kharkiv"))->id, kharkiv);
  EXPECT_FALSE(store_->FindOffice("Nowhere")->has_value());
  EXPECT_FALSE(store_->GetOffice(kharkiv + 100)->has_value());
  std::vector<std::string> names;
  ASSERT_TRUE(store_->ForEachOffice([&](const OfficeRow& o) {
                      names.push_back(o.name);
                      return OkStatus();
                    }).ok());
  EXPECT_EQ(names, (std::vector<std::string>{"Aleppo", "Kharkiv"}));

  UserRow user;
  user.name = "amal";
  user.office_id = *aleppo;
  user.role = 1;
  user.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
  user.totp_sealed = std::string("t\0otp", 5);
  user.created_at = 1700000000;
  Result<std::int64_t> amal = store_->InsertUser(user);
  ASSERT_TRUE(amal.ok()) << amal.status().ToString();
  EXPECT_EQ(store_->InsertUser(user).status().code(), StatusCode::kAlreadyExists);
  user.name = "olena";
  user.office_id = kharkiv + 100;
  EXPECT_EQ(store_->InsertUser(user).status().code(), StatusCode::kNotFound);
  user.office_id = kharkiv;
  user.totp_sealed.clear();
  std::int64_t olena = *store_->InsertUser(user);

  UserRow got = **store_->FindUser("amal");
  EXPECT_EQ(got.id, *amal);
  EXPECT_EQ(got.office_id, *aleppo);
  EXPECT_EQ(got.role, 1);
  EXPECT_EQ(got.password_hash, user.password_hash);
  EXPECT_EQ(got.totp_sealed, std::string("t\0otp", 5));
  EXPECT_FALSE(got.disabled);
  EXPECT_FALSE(store_->FindUser("nobody")->has_value());

  got.failures = 3;
  got.last_failure_at = 1700000500;
  got.totp_last_step = 56666666;
  got.disabled = true;
  got.role = 2;
  got.password_hash = "new-hash";
  ASSERT_TRUE(store_->UpdateUser(got).ok());
  UserRow again = **store_->GetUser(*amal);
  EXPECT_EQ(again.failures, 3);
  EXPECT_EQ(again.last_failure_at, 1700000500);
  EXPECT_EQ(again.totp_last_step, 56666666);
  EXPECT_TRUE(again.disabled);
  EXPECT_EQ(again.role, 2);
  EXPECT_EQ(again.password_hash, "new-hash");
  got.id = olena + 100;
  EXPECT_EQ(store_->UpdateUser(got).code(), StatusCode::kNotFound);
  int users = 0;
  ASSERT_TRUE(store_->ForEachUser([&](const UserRow&) {
                      ++users;
                      return OkStatus();
                    }).ok());
  EXPECT_EQ(users, 2);
}

TEST_P(StoreSuite, SessionsAreFoundByHashAndExpire) {
  OfficeRow office;
  office.name = "Juba";
  std::int64_t juba = *store_->InsertOffice(office);
  UserRow user;
  user.name = "deng";
  user.office_id = juba;
  user.password_hash = "h";
  std::int64_t deng = *store_->InsertUser(user);
  user.name = "nyan";
  std::int64_t nyan = *store_->InsertUser(user);

  const std::string h1("\x01\x00hash-one", 10);
  SessionRow s;
  s.id_hash = h1;
  s.user_id = deng;
  s.created_at = 100;
  s.last_seen_at = 100;
  ASSERT_TRUE(store_->InsertSession(s).ok());
  EXPECT_EQ(store_->InsertSession(s).code(), StatusCode::kAlreadyExists);
  s.id_hash = "hash-two";
  s.last_seen_at = 200;
  ASSERT_TRUE(store_->InsertSession(s).ok());
  s.id_hash = "hash-three";
  s.user_id = nyan;
  s.last_seen_at = 150;
  ASSERT_TRUE(store_->InsertSession(s).ok());
  s.id_hash = "hash-four";
  s.user_id = nyan + 100;
  EXPECT_EQ(store_->InsertSession(s).code(), StatusCode::kNotFound);

  SessionRow got = **store_->GetSession(h1);
  EXPECT_EQ(got.user_id, deng);
  EXPECT_EQ(got.created_at, 100);
  ASSERT_TRUE(store_->TouchSession(h1, 300).ok());
  EXPECT_EQ((*store_->GetSession(h1))->last_seen_at, 300);
  EXPECT_EQ(store_->TouchSession("absent", 1).code(), StatusCode::kNotFound);
  EXPECT_FALSE(store_->GetSession("absent")->has_value());

  // Idle ones of every user, then all of one user.
  EXPECT_EQ(*store_->DeleteSessions(0, 160), 1);  // hash-three (150)
  EXPECT_FALSE(store_->GetSession("hash-three")->has_value());
  EXPECT_EQ(*store_->DeleteSessions(deng, std::numeric_limits<std::int64_t>::max()), 2);
  EXPECT_FALSE(store_->GetSession(h1)->has_value());
  ASSERT_TRUE(store_->DeleteSession("absent").ok());
}

}  // namespace kinlink::store

#endif  // KINLINK_STORE_STORE_ACCOUNTS_SUITE_H_
