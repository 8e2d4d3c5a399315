// `ctis link encode` and `ctis link match`, run as an analyst runs them: CLKs identical to
// clkhash's on the FEBRL records, the secret file's permissions, errors naming row and column,
// one-to-one pairs without scores unless asked for.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "support/process.h"
#include "support/shared_data.h"

namespace ctis::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

std::string first_lines(const std::string& text, std::size_t n) {
  std::string out;
  for (const auto& l : lines_of(text)) {
    if (n-- == 0) break;
    out += l + "\n";
  }
  return out;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

const char* kSecret = "ctis-interop-2026";  // the reference README's secret

class LinkCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "ctis-link-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string file(const std::string& name, const std::string& text, fs::perms mode) {
    const auto p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    fs::permissions(p, mode);
    return p.string();
  }
  std::string secret(fs::perms mode = fs::perms::owner_read | fs::perms::owner_write) {
    return file("secret", std::string(kSecret) + "\n", mode);
  }
  std::string febrl_head(std::size_t rows) {
    return first_lines(slurp(shared("linkage/febrl/febrl_dataset4a.csv")), rows + 1);
  }
  std::string schema() { return shared("linkage/clkhash-reference/febrl_schema_v3.json").string(); }
  fs::path dir_;
};

const fs::perms kPrivate = fs::perms::owner_read | fs::perms::owner_write;

TEST_F(LinkCommands, EncodeGivesClkhashReferenceClksForFebrlRows) {
  const auto input = file("a.csv", febrl_head(50), kPrivate);
  const auto out = (dir_ / "clks.csv").string();
  const auto r = run_ctis({"link", "encode", "--schema", schema(), "--secret-file", secret(),
                           "--out", out, "--skip-initial-space", "--threads", "2", input});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string reference =
      first_lines(slurp(shared("linkage/clkhash-reference/febrl4a_clks.csv")), 51);
  EXPECT_EQ(slurp(out), reference);
  EXPECT_EQ(lines_of(slurp(out)).size(), 51U);
  EXPECT_TRUE(has(r.err, "encoded 50 records"));
  // The secret is never echoed, and the CLK file is the owner's only.
  EXPECT_FALSE(has(r.out + r.err, kSecret));
  struct stat st {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600U);
}

TEST_F(LinkCommands, EncodeRefusesASecretFileOthersCanRead) {
  const auto input = file("a.csv", febrl_head(3), kPrivate);
  const auto out = (dir_ / "clks.csv").string();
  const auto loose = secret(kPrivate | fs::perms::group_read | fs::perms::others_read);
  const auto r = run_ctis({"link", "encode", "--schema", schema(), "--secret-file", loose, "--out",
                           out, "--skip-initial-space", input});
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_TRUE(has(r.err, "permissions are too open")) << r.err;
  EXPECT_FALSE(has(r.out + r.err, kSecret));
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(LinkCommands, EncodeNamesTheRowAndColumnOfABadValueAndWritesNothing) {
  std::string text = febrl_head(3);
  // Row 2's postcode (4560) becomes letters, which the schema's integer format rejects.
  const auto at = text.find(", 4560,");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 7, ", abcd,");
  const auto input = file("bad.csv", text, kPrivate);
  const auto out = (dir_ / "clks.csv").string();
  const auto r = run_ctis({"link", "encode", "--schema", schema(), "--secret-file", secret(),
                           "--out", out, "--skip-initial-space", input});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "row 2, column postcode")) << r.err;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out + ".partial"));
}

TEST_F(LinkCommands, MatchPairsOneToOneAndShowsScoresOnlyWhenAsked) {
  // 32-bit CLKs: a1 = 0xFF00FF00 (16 bits), a2 = 0x0000FFFF (16 bits);
  // b1 = a2 with one bit cleared (15 bits): dice(a2, b1) = 2*15/31 = 0.967742;
  // b2 = a1 exactly: dice 1; b3 = 0xF0F0F0F0, dice with a1 = 2*8/32 = 0.5, below 0.8.
  const auto a = file("a.csv", "rec_id,clk_base64\na1,/wD/AA==\na2,AAD//w==\n", kPrivate);
  const auto b =
      file("b.csv", "rec_id,clk_base64\nb1,AAD//g==\nb2,/wD/AA==\nb3,8PDw8A==\n", kPrivate);
  const auto plain = run_ctis({"link", "match", a, b, "--threshold", "0.8"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out, "a_id,b_id\na1,b2\na2,b1\n");
  EXPECT_TRUE(has(plain.err, "2 pairs")) << plain.err;

  const auto out = (dir_ / "pairs.csv").string();
  const auto scored = run_ctis({"link", "match", a, b, "--with-scores", "--out", out});
  ASSERT_EQ(scored.exit_code, 0) << scored.err;
  EXPECT_EQ(slurp(out), "a_id,b_id,dice\na1,b2,1.000000\na2,b1,0.967742\n");

  // At 0.45 every pair is a candidate (a1-b1 0.516, the rest 0.5), but greedy keeps the best.
  const auto low = run_ctis({"link", "match", a, b, "--threshold", "0.45"});
  EXPECT_EQ(low.out, "a_id,b_id\na1,b2\na2,b1\n");
  EXPECT_TRUE(has(low.err, "from 6 candidates")) << low.err;
}

TEST_F(LinkCommands, MatchGivesAnonlinksResultOnTheFebrlReferenceClks) {
  // Reference README, section 6: at 0.8 anonlink finds 5,257 candidates and greedy keeps 4,960
  // pairs, every one an original (rec-N-org) with its duplicate (rec-N-dup-0).
  const auto r =
      run_ctis({"link", "match", shared("linkage/clkhash-reference/febrl4a_clks.csv").string(),
                shared("linkage/clkhash-reference/febrl4b_clks.csv").string(), "--threshold", "0.8",
                "--threads", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has(r.err, "4960 pairs (one to one) from 5257 candidates")) << r.err;
  const auto pairs = lines_of(r.out);
  ASSERT_EQ(pairs.size(), 4961U);
  EXPECT_EQ(pairs[0], "a_id,b_id");
  std::size_t wrong = 0;
  std::set<std::string> a_ids, b_ids;
  for (std::size_t i = 1; i < pairs.size(); ++i) {
    const auto comma = pairs[i].find(',');
    const auto a_id = pairs[i].substr(0, comma);
    const auto b_id = pairs[i].substr(comma + 1);
    if (b_id != a_id.substr(0, a_id.size() - 4) + "-dup-0" && ++wrong <= 3) {
      ADD_FAILURE() << pairs[i];
    }
    a_ids.insert(a_id);
    b_ids.insert(b_id);
  }
  EXPECT_EQ(wrong, 0U);
  EXPECT_EQ(a_ids.size(), 4960U);  // one to one
  EXPECT_EQ(b_ids.size(), 4960U);
}

TEST_F(LinkCommands, MatchRejectsABadClkNamingTheRow) {
  const auto a = file("a.csv", "rec_id,clk_base64\na1,/wD/AA==\na2,%%%%\n", kPrivate);
  const auto b = file("b.csv", "rec_id,clk_base64\nb1,AAD//g==\n", kPrivate);
  const auto r = run_ctis({"link", "match", a, b});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.err, "row 3")) << r.err;  // line 3 of the file, the header being line 1
  const auto bad_threshold = run_ctis({"link", "match", a, b, "--threshold", "1.5"});
  EXPECT_EQ(bad_threshold.exit_code, 2);
  EXPECT_TRUE(has(bad_threshold.err, "--threshold")) << bad_threshold.err;
}

TEST_F(LinkCommands, DedupFindsFebrlDuplicatesWithTheirReasons) {
  // FEBRL dataset1: 500 originals and 500 duplicates ("rec-N-org" and "rec-N-dup-K").
  const auto out = (dir_ / "pairs.csv").string();
  const auto r = run_ctis(
      {"link", "dedup", "--out", out, shared("linkage/febrl/febrl_dataset1.csv").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(slurp(out));
  ASSERT_GT(lines.size(), 1U);
  EXPECT_EQ(lines[0], "a_id,b_id,probability,weight,cluster,drove,reasons");
  std::size_t right = 0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (const char ch : lines[i]) {
      if (ch == '"') {
        quoted = !quoted;
      } else if (ch == ',' && !quoted) {
        cells.push_back(cell);
        cell.clear();
      } else {
        cell += ch;
      }
    }
    cells.push_back(cell);
    ASSERT_EQ(cells.size(), 7U) << lines[i];
    EXPECT_GE(std::stod(cells[2]), 0.5) << lines[i];
    EXPECT_TRUE(has(cells[6], "surname: ")) << lines[i];  // every comparison gives its reason
    EXPECT_FALSE(cells[5].empty()) << lines[i];
    const auto entity = [](const std::string& id) { return id.substr(0, id.find('-', 4)); };
    right += entity(cells[0]) == entity(cells[1]);
  }
  const double predicted = static_cast<double>(lines.size() - 1);
  const double precision = static_cast<double>(right) / predicted;
  const double recall = static_cast<double>(right) / 500.0;  // one duplicate per original
  std::cout << "FEBRL dataset1 dedup: " << lines.size() - 1 << " pairs, precision " << precision
            << ", recall " << recall << "\n";
  EXPECT_GE(precision, 0.9);
  EXPECT_GE(recall, 0.9);
  EXPECT_TRUE(has(r.err, "clusters of two or more records")) << r.err;
}

TEST_F(LinkCommands, GeneratedPersonsAreDeduplicatedWithTheirPlantedTruth) {
  const auto persons = (dir_ / "persons.csv").string();
  auto r = run_ctis({"link", "generate", "--rows", "3000", "--seed", "7", "--duplicates", "0.2",
                     "--out", persons});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = lines_of(slurp(persons));
  ASSERT_EQ(rows.size(), 3001U);
  EXPECT_EQ(rows[0].rfind("rec_id,given_name,surname", 0), 0U) << rows[0];
  std::size_t duplicates = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) duplicates += has(rows[i].substr(0, 20), "-dup-");
  EXPECT_EQ(duplicates, 600U);
  // The same seed writes the same file.
  const auto again = (dir_ / "again.csv").string();
  ASSERT_EQ(run_ctis({"link", "generate", "--rows", "3000", "--seed", "7", "--duplicates", "0.2",
                      "--out", again})
                .exit_code,
            0);
  EXPECT_EQ(slurp(again), slurp(persons));

  const auto pairs = (dir_ / "pairs.csv").string();
  const auto settings = fs::path(std::getenv("CTIS_SOURCE_DIR")) / "bench" / "dedup" /
                        "generated-persons.settings.json";
  r = run_ctis({"link", "dedup", "--settings", settings.string(), "--out", pairs, persons});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto found = lines_of(slurp(pairs));
  ASSERT_GT(found.size(), 1U);
  std::size_t right = 0;
  const auto entity = [](const std::string& id) { return id.substr(0, id.find('-', 4)); };
  for (std::size_t i = 1; i < found.size(); ++i) {
    const auto comma = found[i].find(',');
    const auto a = found[i].substr(0, comma);
    const auto b = found[i].substr(comma + 1, found[i].find(',', comma + 1) - comma - 1);
    right += entity(a) == entity(b);
  }
  const double precision = static_cast<double>(right) / static_cast<double>(found.size() - 1);
  EXPECT_GE(precision, 0.95);
  EXPECT_GE(right, 540U);  // of the 600 planted duplicates (a few share an original)
  EXPECT_EQ(run_ctis({"link", "generate", "--rows", "0", "--out", again}).exit_code == 0, false);
}

}  // namespace
}  // namespace ctis::testing
