// Bad input in a bank export: unknown currencies, times out of range, transfers to oneself and
// repeated transaction ids, each named by row and column, nothing loaded unless asked.
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/core.h"
#include "finance/finance.h"

namespace ctis::finance {
namespace {

const char* kMapping = R"({
  "version": 1, "delimiter": ";",
  "columns": {"id": "Ref", "time": "Booked", "from": "Payer", "to": "Payee",
              "amount": "Amount", "currency": "Ccy", "location": "Place"},
  "time_format": "%d/%m/%Y %H:%M",
  "default_currency": "eur"
})";

std::string csv(const std::string& rows) {
  return "Ref;Booked;Payer;Payee;Amount;Ccy;Place\n" + rows;
}

// The message of the error ingesting `rows` throws; empty when it loads.
std::string error_of(const std::string& rows, const ColumnMapping& m) {
  std::istringstream in(csv(rows));
  try {
    (void)ingest_csv(in, m);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    return e.what();
  }
  return {};
}

TEST(IngestChecks, CurrenciesAreIso4217InAnyCase) {
  const ColumnMapping m = ColumnMapping::from_json(kMapping);
  EXPECT_EQ(m.default_currency, "EUR");  // stored upper-case
  std::istringstream in(
      csv("r1;01/03/2020 10:00;A;B;1;gbp;\n"
          "r2;01/03/2020 11:00;A;B;1;;\n"
          "r3;01/03/2020 12:00;A;B;1;USD;\n"));
  const Ledger l = ingest_csv(in, m);
  ASSERT_EQ(l.transaction_count(), 3u);
  EXPECT_EQ(l.currency(0), "GBP");
  EXPECT_EQ(l.currency(1), "EUR");
  EXPECT_EQ(l.currency(2), "USD");
  EXPECT_EQ(error_of("r1;01/03/2020 10:00;A;B;1;USD;\nr2;01/03/2020 10:00;A;B;1;XYZ;\n", m),
            "row 3, column Ccy: unknown currency XYZ");
  EXPECT_EQ(error_of("r1;01/03/2020 10:00;A;B;1;EURO;\n", m),
            "row 2, column Ccy: unknown currency EURO");
  try {
    (void)ColumnMapping::from_json(
        R"({"version": 1, "columns": {"time": "t", "from": "a", "amount": "x"},
            "default_currency": "ECU"})");
    ADD_FAILURE() << "ECU accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "/default_currency");
  }
}

TEST(IngestChecks, TimesOutsideTheCenturiesAreRejected) {
  const ColumnMapping m = ColumnMapping::from_json(kMapping);
  EXPECT_EQ(error_of("r1;01/01/2100 00:00;A;B;1;;\n", m),
            "row 2, column Booked: time out of range (1900..2099)");
  EXPECT_EQ(error_of("r1;31/12/1899 23:59;A;B;1;;\n", m),
            "row 2, column Booked: time out of range (1900..2099)");
  EXPECT_EQ(error_of("r1;01/01/1900 00:00;A;B;1;;\nr2;31/12/2099 23:59;A;B;1;;\n", m), "");
  ColumnMapping unix_time = ColumnMapping::from_json(
      R"({"version": 1, "delimiter": ";", "columns": {"time": "Booked", "from": "Payer", "to": "Payee",
          "amount": "Amount"}, "time_format": "unix_millis"})");
  EXPECT_EQ(error_of("r1;99999999999999999;A;B;1;;\n", unix_time),
            "row 2, column Booked: time out of range (1900..2099)");
}

TEST(IngestChecks, ATransferToItselfIsAnErrorUnlessAllowed) {
  ColumnMapping m = ColumnMapping::from_json(kMapping);
  EXPECT_EQ(error_of("r1;01/03/2020 10:00;A;B;1;;\nr2;01/03/2020 10:00; A ;A;1;;\n", m),
            "row 3, column Payee: a transaction to itself (sender and receiver are both A)");
  m.self_transfers = true;
  EXPECT_EQ(error_of("r1;01/03/2020 10:00;A;A;1;;\n", m), "");
}

TEST(IngestChecks, RepeatedIdsNameBothRows) {
  const ColumnMapping m = ColumnMapping::from_json(kMapping);
  // In order until the repeat.
  EXPECT_EQ(error_of("r1;01/03/2020 10:00;A;B;1;;\n"
                     "r2;01/03/2020 10:00;A;B;1;;\n"
                     "r2;01/03/2020 10:00;A;B;1;;\n",
                     m),
            "row 4, column Ref: duplicate transaction id (first on row 3)");
  // Out of order, after a blank line and a quoted field over two lines (lines, not records).
  EXPECT_EQ(error_of("k;01/03/2020 10:00;A;B;1;;\n"
                     "\n"
                     "c;01/03/2020 10:00;A;B;1;;\"two\nlines\"\n"
                     "a;01/03/2020 10:00;A;B;1;;\n"
                     "c;01/03/2020 10:00;A;B;1;;\n",
                     m),
            "row 7, column Ref: duplicate transaction id (first on row 4)");
  // Ids increasing by length then bytes (T9 < T10), or by bytes alone (009 < 010): no search.
  EXPECT_EQ(error_of("T9;01/03/2020 10:00;A;B;1;;\nT10;01/03/2020 10:00;A;B;1;;\n", m), "");
  EXPECT_EQ(error_of("009;01/03/2020 10:00;A;B;1;;\n010;01/03/2020 10:00;A;B;1;;\n", m), "");
}

TEST(IngestChecks, SkippedRepeatsLeaveTheFirstAndAreReportedInRowOrder) {
  const ColumnMapping m = ColumnMapping::from_json(kMapping);
  std::istringstream in(
      csv("b;01/03/2020 10:00;A;B;100;;\n"
          "a;01/03/2020 11:00;A;B;200;;\n"
          "b;01/03/2020 12:00;A;B;300;;\n"
          "x;01/03/2020 12:00;A;B;1;QQQ;\n"
          "a;01/03/2020 13:00;A;B;400;;\n"
          "d;01/03/2020 14:00;A;B;500;;\n"));
  IngestOptions o;
  o.skip_bad_rows = true;
  IngestReport report;
  const Ledger l = ingest_csv(in, m, o, &report);
  ASSERT_EQ(report.bad_rows.size(), 3u);
  EXPECT_EQ(report.bad_rows[0].message(),
            "row 4, column Ref: duplicate transaction id (first on row 2)");
  EXPECT_EQ(report.bad_rows[1].message(), "row 5, column Ccy: unknown currency QQQ");
  EXPECT_EQ(report.bad_rows[2].message(),
            "row 6, column Ref: duplicate transaction id (first on row 3)");
  ASSERT_EQ(l.transaction_count(), 3u);
  EXPECT_EQ(l.transaction_id(0), "b");
  EXPECT_EQ(l.amounts()[0], 10000);
  EXPECT_EQ(l.transaction_id(1), "a");
  EXPECT_EQ(l.amounts()[1], 20000);
  EXPECT_EQ(l.transaction_id(2), "d");
}

TEST(IngestChecks, ManyShuffledIdsHaveNoFalseRepeats) {
  const ColumnMapping m = ColumnMapping::from_json(kMapping);
  std::string rows;
  constexpr int kRows = 20000;
  for (int i = 0; i < kRows; ++i) {
    // A permutation of 0..kRows-1 (7919 is prime and coprime with kRows).
    rows += "id-" + std::to_string(i * 7919 % kRows) + ";01/03/2020 10:00;A" +
            std::to_string(i % 100) + ";B;1;;\n";
  }
  std::istringstream in(csv(rows));
  EXPECT_EQ(ingest_csv(in, m).transaction_count(), static_cast<std::size_t>(kRows));
  // The same with the first id again at the end.
  EXPECT_EQ(error_of(rows + "id-0;01/03/2020 10:00;A;B;1;;\n", m),
            "row " + std::to_string(kRows + 2) +
                ", column Ref: duplicate transaction id (first on row 2)");
}

}  // namespace
}  // namespace ctis::finance
