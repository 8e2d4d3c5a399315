// DTM rows read in chunks: the same rows, labels, issues and report as a whole read, whatever
// the chunk size; a rejected read hands no row over after its first bad row. Also the CSV
// reader's quoted fields, which the chunked reader's speed relies on.
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/core.h"
#include "routes/csv.h"
#include "routes/routes.h"

namespace ctis::routes {
namespace {

const char* dtm_header =
    "\"t\",\"route\",\"fmp\",\"fmp_country\",\"from\",\"to\",\"n\",\"reason_seasonal\","
    "\"reason_disaster\",\"reason_conflict\",\"reason_economic\"\n";

// Rows with repeated and new labels, an unknown country code (a warning on each row that has
// it), a censored count and a lower-case code.
std::string sample_dtm(int rows) {
  const char* points[] = {"Séguédine", "Arlit", "Dirkou \"Nord\"", "Assamaka"};
  const char* codes[] = {"NER", "LBY", "XYZ", "ooo", "TCD"};
  std::string text = dtm_header;
  for (int i = 0; i < rows; ++i) {
    text += "\"2019-0" + std::to_string(1 + (i * 7) % 9) + "-1" + std::to_string(i % 10) + "\",";
    text += (i % 5 == 0 ? std::string("NA") : "\"Route " + std::to_string(i % 3) + "\"") + ",";
    std::string point = points[(i / 4) % 4];
    std::string quoted;
    for (const char c : point) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    text += "\"" + quoted + "\",\"NER\",\"" + codes[i % 5] + "\",\"" + codes[(i / 3) % 5] + "\",";
    text += (i % 11 == 0 ? std::string("\"<5\"") : std::to_string(i % 97)) + ",1,0,NA,1\n";
  }
  return text;
}

struct Collected {
  Flows table;
  std::size_t chunks = 0;
  std::size_t last_rows_read = 0;
};

Collected read_in_chunks(const std::string& text, std::size_t chunk_rows,
                         const ReadOptions& options, ReadReport& report) {
  Collected out;
  std::istringstream in(text);
  read_dtm_chunks(
      in,
      [&](FlowChunk&& chunk) {
        ++out.chunks;
        EXPECT_LE(chunk.rows.size(), chunk_rows);
        EXPECT_GE(chunk.rows_read, out.last_rows_read);
        out.last_rows_read = chunk.rows_read;
        for (auto& l : chunk.new_labels) out.table.labels.push_back(std::move(l));
        out.table.rows.insert(out.table.rows.end(), chunk.rows.begin(), chunk.rows.end());
      },
      options, &report, chunk_rows);
  return out;
}

void expect_same_rows(const Flows& a, const Flows& b) {
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    const Flow& x = a.rows[i];
    const Flow& y = b.rows[i];
    EXPECT_EQ(x.date, y.date) << i;
    EXPECT_EQ(a.label(x.route), b.label(y.route)) << i;
    EXPECT_EQ(a.label(x.point), b.label(y.point)) << i;
    EXPECT_EQ(a.label(x.point_country), b.label(y.point_country)) << i;
    EXPECT_EQ(a.label(x.from), b.label(y.from)) << i;
    EXPECT_EQ(a.label(x.to), b.label(y.to)) << i;
    EXPECT_EQ(x.persons, y.persons) << i;
    EXPECT_EQ(x.reasons, y.reasons) << i;
  }
}

TEST(DtmChunks, AnyChunkSizeGivesTheWholeReadsRowsLabelsAndReport) {
  const std::string text = sample_dtm(1000);
  std::istringstream whole_in(text);
  ReadReport whole_report;
  const Flows whole = read_dtm(whole_in, {}, &whole_report);
  ASSERT_EQ(whole.rows.size(), 1000u);
  EXPECT_EQ(whole.label(whole.rows[8].point), "Dirkou \"Nord\"");
  EXPECT_EQ(whole.label(whole.rows[3].from), "OOO");  // upper-cased
  EXPECT_EQ(whole.rows[0].persons, (Count{5, true}));
  // "XYZ" is neither ISO nor a special code: a warning for every column and row that has it.
  EXPECT_GT(whole_report.warning_count, 300u);

  for (const std::size_t chunk_rows : {1u, 7u, 1000u, 5000u}) {
    ReadReport report;
    const auto got = read_in_chunks(text, chunk_rows, {}, report);
    expect_same_rows(got.table, whole);
    EXPECT_EQ(got.table.labels, whole.labels) << chunk_rows;
    EXPECT_EQ(got.chunks, (1000 + chunk_rows - 1) / chunk_rows + (1000 % chunk_rows == 0 ? 1 : 0))
        << chunk_rows;
    EXPECT_EQ(got.last_rows_read, 1000u);
    EXPECT_EQ(report.rows_read, whole_report.rows_read);
    EXPECT_EQ(report.warning_count, whole_report.warning_count);
    ASSERT_EQ(report.warnings.size(), whole_report.warnings.size());
    for (std::size_t i = 0; i < report.warnings.size(); ++i) {
      EXPECT_EQ(report.warnings[i].text(), whole_report.warnings[i].text());
    }
  }
}

TEST(DtmChunks, ARejectedReadHandsNoRowOverAfterItsFirstBadRow) {
  std::string text = sample_dtm(100);
  text += "\"2019-02-30\",NA,\"Arlit\",\"NER\",\"NER\",\"LBY\",4,1,0,0,1\n";  // no such day
  text += sample_dtm(50).substr(std::string(dtm_header).size());
  text += "\"2019-02-03\",NA,\"Arlit\",\"NER\",\"NE\",\"LBY\",4,1,0,0,1\n";  // two letters
  ReadReport report;
  std::size_t handed = 0;
  try {
    read_in_chunks(text, 10, {}, report);
    FAIL() << "a bad row was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
  }
  ASSERT_EQ(report.error_count, 2u);
  EXPECT_EQ(report.errors[0].text(), "row 102, column t: not a date YYYY-MM-DD: \"2019-02-30\"");
  EXPECT_EQ(report.errors[1].text(),
            "row 153, column from: not a three-letter country code: \"NE\"");
  // With skip_invalid the bad rows are left out and counted, the rest handed over.
  ReadOptions skip;
  skip.skip_invalid = true;
  ReadReport skipped;
  const auto got = read_in_chunks(text, 10, skip, skipped);
  handed = got.table.rows.size();
  EXPECT_EQ(handed, 150u);
  EXPECT_EQ(skipped.rows_skipped, 2u);
  EXPECT_EQ(skipped.rows_read, 152u);

  // Without it, the chunks before the first bad row only.
  ReadReport rejected;
  Collected partial;
  std::istringstream in(text);
  EXPECT_THROW(read_dtm_chunks(
                   in,
                   [&](FlowChunk&& chunk) {
                     partial.table.rows.insert(partial.table.rows.end(), chunk.rows.begin(),
                                               chunk.rows.end());
                   },
                   {}, &rejected, 10),
               Error);
  EXPECT_EQ(partial.table.rows.size(), 100u);
}

TEST(CsvReader, QuotedFieldsWithEscapedQuotesSeparatorsAndLineBreaks) {
  std::istringstream in(
      "plain,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\",\"\"\n"
      "\"\"\"\",x\"y\",,last\r\n");
  detail::CsvReader csv(in);
  ASSERT_TRUE(csv.next());
  ASSERT_EQ(csv.size(), 5u);
  EXPECT_EQ(csv.field(0), "plain");
  EXPECT_EQ(csv.field(1), "a, b");
  EXPECT_EQ(csv.field(2), "say \"hi\"");
  EXPECT_EQ(csv.field(3), "two\nlines");
  EXPECT_EQ(csv.field(4), "");
  ASSERT_TRUE(csv.next());
  ASSERT_EQ(csv.size(), 4u);
  EXPECT_EQ(csv.field(0), "\"");
  EXPECT_EQ(csv.field(1), "xy");  // a quote inside a plain field opens a quoted part
  EXPECT_EQ(csv.field(2), "");
  EXPECT_EQ(csv.field(3), "last");
  EXPECT_EQ(csv.record(), 2u);
  EXPECT_FALSE(csv.next());
}

}  // namespace
}  // namespace ctis::routes
