// The linkage exchange: projects, validated uploads, matching (FEBRL4 against the published
// clkhash/anonlink figures, and three synthetic parties), per-party results and bad input.
#include "exchange/exchange.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "support/platform.h"
#include "support/shared_data.h"

namespace ctis::exchange {
namespace {

const std::string kRef = "linkage/clkhash-reference/";

// A one-feature schema giving 1024-bit CLKs (the synthetic tests upload random CLKs).
const std::string kSmallSchema = R"({"version": 3,
  "clkConfig": {"l": 1024, "kdf": {"type": "HKDF", "hash": "SHA256", "keySize": 64}},
  "features": [{"identifier": "name", "format": {"type": "string", "encoding": "utf-8"},
                "hashing": {"comparison": {"type": "ngram", "n": 2},
                            "strategy": {"bitsPerToken": 20}}}]})";

std::vector<std::uint8_t> random_clk(std::mt19937_64& rng) {
  std::vector<std::uint8_t> b(128);
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

// A copy of `clk` with `flips` random bits flipped: Dice with the original stays high.
std::vector<std::uint8_t> noisy(std::vector<std::uint8_t> clk, std::mt19937_64& rng, int flips) {
  for (int i = 0; i < flips; ++i) {
    const auto bit = rng() % 1024;
    clk[bit / 8] = static_cast<std::uint8_t>(clk[bit / 8] ^ (0x80U >> (bit % 8)));
  }
  return clk;
}

class ExchangeTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    p_ = std::make_unique<ctis::testing::Platform>(GetParam());
    exchange_ = std::make_unique<Exchange>(*p_->db, *p_->audit);
    admin_ = person("admin", "admin", "Ministry");
    coord_ = person("coord", "coordinator", "Ministry");
    partner_a_ = person("partner.a", "partner", "Agency A");
    partner_b_ = person("partner.b", "partner", "Agency B");
    analyst_c_ = person("analyst.c", "analyst", "Agency C");
    worker_a_ = person("worker.a", "caseworker", "Agency A");
  }

  auth::Principal person(const std::string& name, const std::string& role, const std::string& org) {
    return p_->person(name, role, org);
  }

  Project create(std::vector<std::string> parties, const std::string& schema = kSmallSchema) {
    return exchange_->create_project(admin_, {"FEBRL trial", schema, 0.8, std::move(parties)});
  }

  static Upload upload_of(const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& r) {
    Upload u;
    for (const auto& [id, clk] : r) u.rows.push_back({id, to_base64(clk)});
    return u;
  }

  template <class Fn>
  static void expect_error(Fn fn, ErrorKind kind, const std::string& field_or_code) {
    try {
      fn();
      ADD_FAILURE() << "no error, expected " << field_or_code;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), kind) << e.what();
      EXPECT_TRUE(e.field() == field_or_code || e.code() == field_or_code)
          << e.field() << " / " << e.code() << ": " << e.what();
    }
  }

  std::int64_t audit_count(const std::string& action) {
    std::int64_t n = 0;
    for (const auto& e : p_->audit->list(0, 1000)) n += e.action == action ? 1 : 0;
    return n;
  }

  std::unique_ptr<ctis::testing::Platform> p_;
  std::unique_ptr<Exchange> exchange_;
  auth::Principal admin_, coord_, partner_a_, partner_b_, analyst_c_, worker_a_;
};

TEST_P(ExchangeTest, FebrlThroughTheExchangeMatchesThePublishedFigures) {
  const std::string schema = testing::slurp(testing::shared(kRef + "febrl_schema_v3.json"));
  const std::string a_csv = testing::slurp(testing::shared(kRef + "febrl4a_clks.csv"));
  const std::string b_csv = testing::slurp(testing::shared(kRef + "febrl4b_clks.csv"));
  ASSERT_FALSE(schema.empty() || a_csv.empty() || b_csv.empty());
  const auto project = create({"Agency A", "Agency B"}, schema);
  EXPECT_EQ(project.clk_bits, 1024U);
  EXPECT_EQ(project.status, "waiting");

  const Upload a = parse_clk_csv(a_csv);
  ASSERT_EQ(a.rows.size(), 5000U);
  auto after_a = exchange_->upload(partner_a_, project.id, a);
  EXPECT_EQ(after_a.status, "waiting");
  EXPECT_TRUE(after_a.parties.at(0).uploaded);
  EXPECT_FALSE(after_a.parties.at(1).uploaded);
  expect_error([&] { exchange_->results(partner_a_, project.id); }, ErrorKind::conflict,
               "not_matched");

  const auto after_b = exchange_->upload(partner_b_, project.id, parse_clk_csv(b_csv));
  EXPECT_EQ(after_b.status, "matched");
  EXPECT_EQ(after_b.groups, 4960);  // anonlink's greedy solve at 0.8 (reference README §6)

  const auto ra = exchange_->results(partner_a_, project.id);
  const auto rb = exchange_->results(partner_b_, project.id);
  ASSERT_EQ(ra.matches.size(), 4960U);
  ASSERT_EQ(rb.matches.size(), 4960U);
  std::set<std::string> a_ids;
  for (const auto& row : a.rows) a_ids.insert(row.id);
  std::map<std::int64_t, std::string> a_by_group;
  for (const auto& m : ra.matches) {
    EXPECT_TRUE(a_ids.count(m.record_id)) << m.record_id << " is not one of A's ids";
    a_by_group[m.group] = m.record_id;
  }
  // Ground truth: rec-N-org in A is rec-N-dup-0 in B.
  std::size_t true_positives = 0;
  for (const auto& m : rb.matches) {
    EXPECT_EQ(m.record_id.find("-org"), std::string::npos) << "B's results hold an id of A's";
    const std::string a_id = a_by_group.at(m.group);
    true_positives +=
        a_id.substr(0, a_id.rfind("-org")) == m.record_id.substr(0, m.record_id.rfind("-dup"));
  }
  const double precision = static_cast<double>(true_positives) / 4960.0;
  const double recall = static_cast<double>(true_positives) / 5000.0;
  EXPECT_EQ(precision, 1.0);
  EXPECT_GE(recall, 0.992);

  // The CLKs are gone; the counts remain.
  auto lease = p_->db->connection();
  EXPECT_EQ(
      lease->query_one("SELECT COUNT(*) FROM linkage_parties WHERE clks IS NOT NULL")->integer(0),
      0);
  const auto status = exchange_->project(partner_b_, project.id);
  EXPECT_EQ(status.parties.at(0).records, 5000);
  EXPECT_EQ(status.parties.at(1).matched, 4960);
  EXPECT_EQ(audit_count("linkage.upload"), 2);
  EXPECT_EQ(audit_count("linkage.match"), 1);
  EXPECT_EQ(audit_count("linkage.results.read"), 2);
}

TEST_P(ExchangeTest, ThreePartiesShareGroupNumbersAndSeeOnlyTheirOwnIds) {
  const auto project = create({"Agency A", "Agency B", "Agency C"});
  std::mt19937_64 rng(7);
  std::vector<std::vector<std::uint8_t>> people(40);
  for (auto& person : people) person = random_clk(rng);
  // A holds people 0..29, B people 10..39, C people 0..9 and 35..39, each slightly different.
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> a, b, c;
  for (int i = 0; i < 30; ++i) a.emplace_back("a" + std::to_string(i), noisy(people[i], rng, 20));
  for (int i = 10; i < 40; ++i) b.emplace_back("b" + std::to_string(i), noisy(people[i], rng, 20));
  for (int i : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 35, 36, 37, 38, 39}) {
    c.emplace_back("c" + std::to_string(i), noisy(people[i], rng, 20));
  }
  c.emplace_back("c-stranger", random_clk(rng));
  exchange_->upload(partner_a_, project.id, upload_of(a));
  exchange_->upload(analyst_c_, project.id, upload_of(c));
  const auto done = exchange_->upload(partner_b_, project.id, upload_of(b));
  EXPECT_EQ(done.status, "matched");
  // Groups: 0..9 (A, C), 10..29 (A, B), 35..39 (B, C).
  EXPECT_EQ(done.groups, 35);

  std::map<std::int64_t, std::set<std::string>> members;
  for (const auto* who : {&partner_a_, &partner_b_, &analyst_c_}) {
    const auto r = exchange_->results(*who, project.id);
    const char own = who == &partner_a_ ? 'a' : who == &partner_b_ ? 'b' : 'c';
    for (const auto& m : r.matches) {
      EXPECT_EQ(m.record_id.at(0), own) << m.record_id;
      members[m.group].insert(m.record_id.substr(1));
    }
  }
  ASSERT_EQ(members.size(), 35U);
  for (const auto& [group, people_numbers] : members) {
    EXPECT_EQ(people_numbers.size(), 1U) << "group " << group << " joins different people";
    EXPECT_NE(*people_numbers.begin(), "-stranger");
  }
}

TEST_P(ExchangeTest, ALargeProjectMatchesOffTheUploadRequest) {
  // Every project counts as large here: the last upload returns before the match is stored.
  Limits limits;
  limits.match_in_background_over = 0;
  exchange_ = std::make_unique<Exchange>(*p_->db, *p_->audit, limits);
  const auto project = create({"Agency A", "Agency B"});
  std::mt19937_64 rng(11);
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> a, b;
  for (int i = 0; i < 20; ++i) {
    const auto person = random_clk(rng);
    a.emplace_back("a" + std::to_string(i), noisy(person, rng, 10));
    if (i % 2 == 0) b.emplace_back("b" + std::to_string(i), noisy(person, rng, 10));
  }
  exchange_->upload(partner_a_, project.id, upload_of(a));
  const auto after_last = exchange_->upload(partner_b_, project.id, upload_of(b));
  EXPECT_TRUE(after_last.parties.at(0).uploaded && after_last.parties.at(1).uploaded);
  exchange_->wait_for_background_matches();
  const auto done = exchange_->project(admin_, project.id);
  EXPECT_EQ(done.status, "matched");
  EXPECT_EQ(done.groups, 10);
  EXPECT_EQ(exchange_->results(partner_b_, project.id).matches.size(), 10U);
}

TEST_P(ExchangeTest, PendingProjectsMatchInTheBackgroundAtStart) {
  const auto project = create({"Agency A", "Agency B"});
  std::mt19937_64 rng(12);
  const auto person = random_clk(rng);
  exchange_->upload(partner_a_, project.id, upload_of({{"a0", noisy(person, rng, 5)}}));
  // A crash between the last upload and the match: B's upload is stored (packed as the
  // exchange packs it: id length, id, CLK), the match is not.
  store::Blob packed = {2, 0, 0, 0, 'b', '0'};
  const auto clk = noisy(person, rng, 5);
  packed.insert(packed.end(), clk.begin(), clk.end());
  p_->db->connection()->execute(
      "UPDATE linkage_parties SET clks = ?, uploaded_at = ?, record_count = 1 WHERE project_id = ? "
      "AND organisation_id = ?",
      {store::Value(packed), now_millis(), project.id, partner_b_.organisation_id});
  exchange_ = std::make_unique<Exchange>(*p_->db, *p_->audit);
  EXPECT_EQ(exchange_->project(admin_, project.id).status, "waiting");
  EXPECT_EQ(exchange_->match_pending_in_background(), 1);
  exchange_->wait_for_background_matches();
  EXPECT_EQ(exchange_->project(admin_, project.id).status, "matched");
  ASSERT_EQ(exchange_->results(partner_b_, project.id).matches.size(), 1U);
  EXPECT_EQ(exchange_->results(partner_b_, project.id).matches[0].record_id, "b0");
  EXPECT_EQ(exchange_->match_pending_in_background(), 0);
}

TEST_P(ExchangeTest, BadUploadsAreRefusedAndNothingIsHalfStored) {
  const auto project = create({"Agency A", "Agency B"});
  std::mt19937_64 rng(1);
  auto good =
      upload_of({{"r1", random_clk(rng)}, {"r2", random_clk(rng)}, {"r3", random_clk(rng)}});

  auto short_clk = good;
  short_clk.rows[2].clk = to_base64(std::vector<std::uint8_t>(64, 0xFF));
  expect_error([&] { exchange_->upload(partner_a_, project.id, short_clk); }, ErrorKind::invalid,
               "/clks/2/clk");
  auto not_base64 = good;
  not_base64.rows[1].clk = "not base64!";
  expect_error([&] { exchange_->upload(partner_a_, project.id, not_base64); }, ErrorKind::invalid,
               "/clks/1/clk");
  auto twice = good;
  twice.rows[2].id = "r1";
  expect_error([&] { exchange_->upload(partner_a_, project.id, twice); }, ErrorKind::invalid,
               "/clks/2/id");
  expect_error([&] { exchange_->upload(partner_a_, project.id, Upload{}); }, ErrorKind::invalid,
               "/clks");
  auto csv = parse_clk_csv("rec_id,clk_base64\nr1," + good.rows[0].clk + "\nr2,AAAA\n");
  expect_error([&] { exchange_->upload(partner_a_, project.id, csv); }, ErrorKind::invalid,
               "row 2, column clk_base64");
  EXPECT_FALSE(exchange_->project(partner_a_, project.id).parties.at(0).uploaded);
  EXPECT_EQ(audit_count("linkage.upload"), 0);

  // Not a party: the project does not exist for them. A party member in another role: refused.
  expect_error([&] { exchange_->upload(analyst_c_, project.id, good); }, ErrorKind::not_found,
               "not_found");
  expect_error([&] { exchange_->upload(worker_a_, project.id, good); }, ErrorKind::forbidden,
               "forbidden");
  expect_error([&] { exchange_->upload(partner_a_, project.id + 100, good); }, ErrorKind::not_found,
               "not_found");

  exchange_->upload(partner_a_, project.id, good);
  expect_error([&] { exchange_->upload(partner_a_, project.id, good); }, ErrorKind::conflict,
               "already_uploaded");
  EXPECT_EQ(exchange_->project(partner_a_, project.id).parties.at(0).records, 3);
}

TEST_P(ExchangeTest, ProjectsAreValidatedAndVisibleOnlyToThoseConcerned) {
  auto bad_schema = kSmallSchema;
  bad_schema.replace(bad_schema.find("\"bitsPerToken\": 20"), 18, "\"bitsPerToken\": -3");
  try {
    exchange_->create_project(admin_, {"x", bad_schema, 0.8, {"Agency A", "Agency B"}});
    ADD_FAILURE() << "a bad schema was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "/schema");
    EXPECT_NE(std::string(e.what()).find("name"), std::string::npos) << e.what();
  }
  expect_error(
      [&] {
        exchange_->create_project(admin_, {"x", "{", 0.8, {"Agency A", "Agency B"}});
      },
      ErrorKind::invalid, "/schema");
  expect_error(
      [&] {
        exchange_->create_project(admin_, {"x", kSmallSchema, 1.5, {"Agency A", "Agency B"}});
      },
      ErrorKind::invalid, "/threshold");
  expect_error(
      [&] {
        exchange_->create_project(admin_, {"x", kSmallSchema, 0.8, {"Agency A"}});
      },
      ErrorKind::invalid, "/parties");
  expect_error(
      [&] {
        exchange_->create_project(admin_, {"x", kSmallSchema, 0.8, {"Agency A", "Nobody"}});
      },
      ErrorKind::invalid, "/parties/1");
  expect_error(
      [&] {
        exchange_->create_project(admin_, {"", kSmallSchema, 0.8, {"Agency A", "Agency B"}});
      },
      ErrorKind::invalid, "/name");
  expect_error(
      [&] {
        exchange_->create_project(partner_a_, {"x", kSmallSchema, 0.8, {"Agency A", "Agency B"}});
      },
      ErrorKind::forbidden, "forbidden");
  // A coordinator links their own organisation's records only.
  expect_error(
      [&] {
        exchange_->create_project(coord_, {"x", kSmallSchema, 0.8, {"Agency A", "Agency B"}});
      },
      ErrorKind::forbidden, "forbidden");
  const auto mine =
      exchange_->create_project(coord_, {"mine", kSmallSchema, 0.9, {"Ministry", "Agency B"}});
  const auto theirs = create({"Agency A", "Agency C"});
  EXPECT_EQ(audit_count("linkage.project.create"), 2);

  const auto ids = [&](const auth::Principal& who) {
    std::vector<std::int64_t> out;
    for (const auto& p : exchange_->projects(who)) out.push_back(p.id);
    return out;
  };
  EXPECT_EQ(ids(admin_), (std::vector<std::int64_t>{theirs.id, mine.id}));
  EXPECT_EQ(ids(coord_), (std::vector<std::int64_t>{mine.id}));
  EXPECT_EQ(ids(partner_b_), (std::vector<std::int64_t>{mine.id}));
  EXPECT_EQ(ids(analyst_c_), (std::vector<std::int64_t>{theirs.id}));
  expect_error([&] { exchange_->project(partner_b_, theirs.id); }, ErrorKind::not_found,
               "not_found");
  EXPECT_EQ(exchange_->project(analyst_c_, theirs.id).parties.at(1).organisation, "Agency C");
  EXPECT_EQ(mine.threshold, 0.9);
}

TEST(ParseClkCsv, ReadsClkhashCsvAndNamesBadRows) {
  const auto u = parse_clk_csv(
      "\xEF\xBB\xBFrec_id,clk_base64\r\nplain,AAAA\r\n\r\n\"with, comma \"\"q\"\"\",BBBB\n");
  ASSERT_EQ(u.rows.size(), 2U);
  EXPECT_TRUE(u.from_csv);
  EXPECT_EQ(u.rows[0].id, "plain");
  EXPECT_EQ(u.rows[0].clk, "AAAA");
  EXPECT_EQ(u.rows[1].id, "with, comma \"q\"");
  EXPECT_EQ(u.rows[1].clk, "BBBB");
  try {
    parse_clk_csv("rec_id,clk_base64\na,AAAA\nb,AAAA,extra\n");
    ADD_FAILURE() << "three columns accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "row 2");
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, ExchangeTest,
                         ::testing::Values(store::Dialect::sqlite, store::Dialect::postgresql),
                         ctis::testing::dialect_name);

}  // namespace
}  // namespace ctis::exchange
