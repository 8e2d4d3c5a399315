#include <sstream>

#include <gtest/gtest.h>

#include "core/core.h"
#include "finance/finance.h"

namespace ctis::finance {
namespace {

const char* kBankMapping = R"({
  "version": 1, "delimiter": ";",
  "columns": {"id": "Ref", "time": "Booked", "from": "Payer", "to": "Payee",
              "amount": "Amount", "currency": "Ccy", "channel": "Type", "mcc": "MCC",
              "location": "Place"},
  "time_format": "%d/%m/%Y %H:%M",
  "amount": {"decimal_separator": ",", "thousands_separator": ".", "minor_digits": 2},
  "default_currency": "EUR",
  "channels": {"Virement": "wire", "Especes": "cash", "Carte": "card"},
  "default_channel": null
})";

std::string bank_csv(const std::string& rows) {
  return "Ref;Booked;Payer;Payee;Amount;Ccy;Type;MCC;Place\n" + rows;
}

TEST(Ingest, BankExportMapsWithoutCode) {
  ColumnMapping m = ColumnMapping::from_json(kBankMapping);
  std::istringstream in(
      bank_csv("r1;18/02/2017 22:30;FR76-1;FR76-2;1.234,56;;virement;;\"Paris; 9e\"\n"
               "r2;17/02/2017 08:00;;FR76-1;500;EUR;Especes;;Lyon\n"
               "r3;19/02/2017 23:59;FR76-2;SHOP-7;-12,5;GBP;CARTE;7011;\"Hotel \"\"Nord\"\"\"\n"));
  IngestReport report;
  Ledger l = ingest_csv(in, m, {}, &report);
  EXPECT_EQ(report.rows, 3u);
  EXPECT_TRUE(report.bad_rows.empty());
  ASSERT_EQ(l.transaction_count(), 3u);
  ASSERT_EQ(l.account_count(), 3u);
  Transaction deposit = l.transaction(0);  // earliest
  EXPECT_EQ(deposit.id, "r2");
  EXPECT_EQ(deposit.from, "");
  EXPECT_EQ(deposit.channel, Channel::cash);
  EXPECT_EQ(deposit.amount, 50000);
  Transaction wire = l.transaction(1);
  EXPECT_EQ(wire.id, "r1");
  EXPECT_EQ(wire.time, 1487457000);  // 2017-02-18T22:30:00Z
  EXPECT_EQ(wire.amount, 123456);
  EXPECT_EQ(wire.currency, "EUR");
  EXPECT_EQ(wire.channel, Channel::wire);
  EXPECT_EQ(wire.location, "Paris; 9e");
  Transaction card = l.transaction(2);
  EXPECT_EQ(card.amount, -1250);
  EXPECT_EQ(card.currency, "GBP");
  EXPECT_EQ(card.channel, Channel::card);
  EXPECT_EQ(card.mcc, 7011);
  EXPECT_EQ(card.location, "Hotel \"Nord\"");
}

TEST(Ingest, FirstBadRowThrowsWithRowAndColumn) {
  ColumnMapping m = ColumnMapping::from_json(kBankMapping);
  std::istringstream in(
      bank_csv("r1;18/02/2017 22:30;A;B;10;;Virement;;\n"
               "r2;18/02/2017 22:30;A;B;1O,00;;Virement;;\n"));
  try {
    (void)ingest_csv(in, m);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::invalid);
    EXPECT_STREQ(e.what(), "row 3, column Amount: not a number");
    EXPECT_EQ(e.field(), "row 3, column Amount");
  }
}

TEST(Ingest, SkipsAndReportsEveryBadRowWhenAsked) {
  ColumnMapping m = ColumnMapping::from_json(kBankMapping);
  std::istringstream in(
      bank_csv("r1;31/02/2017 10:00;A;B;10;;Virement;;\n"
               "r2;18/02/2017 10:00;A;B;10,001;;Virement;;\n"
               "r3;18/02/2017 10:00;A;B;10;;Barter;;\n"
               "r4;18/02/2017 10:00;;;10;;Virement;;\n"
               "r5;18/02/2017 10:00;A;B;10;;Virement;12345;\n"
               "r6;18/02/2017 10:00;A;B\n"
               "r7;18/02/2017 10:00;A;C;7,5;;Virement;;\n"));
  IngestOptions o;
  o.skip_bad_rows = true;
  std::vector<std::size_t> progress;
  o.progress_every = 2;
  o.progress = [&](std::size_t rows, std::size_t) { progress.push_back(rows); };
  IngestReport report;
  Ledger l = ingest_csv(in, m, o, &report);
  EXPECT_EQ(report.rows, 7u);
  ASSERT_EQ(report.bad_rows.size(), 6u);
  EXPECT_EQ(report.bad_rows[0].message(),
            "row 2, column Booked: not a time in format %d/%m/%Y %H:%M");
  EXPECT_EQ(report.bad_rows[1].message(),
            "row 3, column Amount: more decimals than the currency's minor unit");
  EXPECT_EQ(report.bad_rows[2].message(), "row 4, column Type: unknown channel Barter");
  EXPECT_EQ(report.bad_rows[3].message(), "row 5, column Payer: no sender or receiver");
  EXPECT_EQ(report.bad_rows[4].message(),
            "row 6, column MCC: merchant category code must be 0..9999");
  EXPECT_EQ(report.bad_rows[5].message(), "row 7, column Amount: missing (row has 4 fields)");
  ASSERT_EQ(l.transaction_count(), 1u);
  EXPECT_EQ(l.transaction(0).amount, 750);
  EXPECT_EQ(progress, (std::vector<std::size_t>{2, 4, 6, 7}));

  std::istringstream again(bank_csv("r1;x;A;B;10;;Virement;;\nr2;x;A;B;10;;Virement;;\n"));
  o.max_bad_rows = 1;
  EXPECT_THROW((void)ingest_csv(again, m, o), Error);
}

TEST(Ingest, MappingErrorsNameTheKey) {
  auto field_of = [](const char* json) {
    try {
      (void)ColumnMapping::from_json(json);
    } catch (const Error& e) {
      return e.field();
    }
    return std::string("no error");
  };
  EXPECT_EQ(field_of("[1]"), "");
  EXPECT_EQ(field_of(R"({"version": 2})"), "/version");
  EXPECT_EQ(field_of(R"({"version": 1, "columns": {"time": "t", "from": "f"}})"),
            "/columns/amount");
  EXPECT_EQ(field_of(R"({"version": 1, "columns": {"time": "t", "amount": "a", "to": "b",
                         "colour": "c"}})"),
            "/columns/colour");
  EXPECT_EQ(field_of(R"({"version": 1, "columns": {"time": "t", "amount": "a", "to": "b"},
                         "channels": {"X": "teleport"}})"),
            "/channels/X");
  EXPECT_EQ(field_of(R"({"version": 1, "columns": {"time": "t", "amount": "a", "to": "b"},
                         "time_format": 7})"),
            "");  // a wrong type is still Error(invalid), not a stray library exception
  std::istringstream in("Date,To\n");
  ColumnMapping m = ColumnMapping::from_json(
      R"({"version": 1, "columns": {"time": "Date", "amount": "Amt", "to": "To"}})");
  try {
    (void)ingest_csv(in, m);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "row 1, column Amt");
  }
}

TEST(Ingest, ByteOrderMarkAndCrlf) {
  ColumnMapping m = ColumnMapping::from_json(
      R"({"version": 1, "columns": {"time": "When", "amount": "Amt", "to": "To"},
          "time_format": "unix_seconds"})");
  std::istringstream in("\xEF\xBB\xBFWhen,To,Amt\r\n60,B,1.50\r\n");
  Ledger l = ingest_csv(in, m);
  ASSERT_EQ(l.transaction_count(), 1u);
  EXPECT_EQ(l.times()[0], 60);
  EXPECT_EQ(l.transaction(0).to, "B");
  EXPECT_EQ(l.amounts()[0], 150);
  EXPECT_EQ(l.channels()[0], Channel::other);
}

TEST(Ingest, AmountsAreExactMinorUnits) {
  ColumnMapping m;
  EXPECT_EQ(parse_amount("0.1", m), 10);
  EXPECT_EQ(parse_amount("  19.99 ", m), 1999);
  EXPECT_EQ(parse_amount("19.990", m), 1999);
  EXPECT_EQ(parse_amount("-3", m), -300);
  EXPECT_FALSE(parse_amount("1.999", m));
  EXPECT_FALSE(parse_amount("", m));
  EXPECT_FALSE(parse_amount("1e5", m));
  EXPECT_FALSE(parse_amount("99999999999999999999", m));
  m.minor_digits = 0;  // JPY
  EXPECT_EQ(parse_amount("1500", m), 1500);
  m.thousands_separator = ',';
  EXPECT_EQ(parse_amount("1,500", m), 1500);
}

TEST(Ingest, TimesAreUtcSeconds) {
  ColumnMapping m;
  EXPECT_EQ(parse_time("1970-01-01 00:00:00", m), 0);
  EXPECT_EQ(parse_time("2017-02-18 00:00:00", m), 1487376000);
  EXPECT_EQ(parse_time("2024-02-29 12:00:01", m), 1709208001);
  EXPECT_FALSE(parse_time("2023-02-29 12:00:00", m));
  EXPECT_FALSE(parse_time("2017-13-01 00:00:00", m));
  EXPECT_FALSE(parse_time("2017-02-18", m));
  m.time_format = "unix_millis";
  EXPECT_EQ(parse_time("1487376000999", m), 1487376000);
  m.time_format = "days";
  m.time_origin = 1483228800;  // 2017-01-01
  EXPECT_EQ(parse_time("48", m), 1487376000);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
}

// Larger than one read block (4 MB): records and quoted fields that straddle block ends, and
// line numbers that count the newlines inside quotes.
TEST(Ingest, RecordsAcrossReadBlocksKeepValuesAndLineNumbers) {
  ColumnMapping m = ColumnMapping::from_json(
      R"({"version": 1, "columns": {"id": "id", "time": "t", "from": "a", "to": "b",
          "amount": "x", "location": "place"}, "time_format": "unix_seconds"})");
  std::string csv = "id,t,a,b,x,place\r\n";
  std::size_t line = 1, quoted_rows = 0;
  const std::string pad(70, '.');
  for (int i = 0; i < 70000; ++i) {
    ++line;
    const std::string id = "T" + std::to_string(i);
    if (i % 997 == 0) {  // a quoted place over two lines, with an escaped quote
      csv += id + "," + std::to_string(i) + ",A" + std::to_string(i % 50) + ",B,1.25,\"" + pad +
             "\n\"\"" + std::to_string(i) + "\"\"\"\r\n";
      ++line;
      ++quoted_rows;
    } else {
      csv += id + "," + std::to_string(i) + ",A" + std::to_string(i % 50) + ",B,1.25," + pad +
             std::to_string(i) + "\r\n";
    }
  }
  ASSERT_GT(csv.size(), std::size_t{5} << 20);
  ASSERT_GT(quoted_rows, 60u);
  {
    std::istringstream in(csv);
    IngestReport report;
    Ledger l = ingest_csv(in, m, {}, &report);
    ASSERT_EQ(l.transaction_count(), 70000u);
    EXPECT_EQ(report.rows, 70000u);
    EXPECT_EQ(l.account_count(), 51u);
    for (TxIndex t : {TxIndex{0}, TxIndex{997}, TxIndex{41876}, TxIndex{59829}, TxIndex{69999}}) {
      const Transaction x = l.transaction(t);
      EXPECT_EQ(x.id, "T" + std::to_string(t));
      EXPECT_EQ(x.time, static_cast<Seconds>(t));
      EXPECT_EQ(x.amount, 125);
      const std::string expect =
          t % 997 == 0 ? pad + "\n\"" + std::to_string(t) + "\"" : pad + std::to_string(t);
      EXPECT_EQ(x.location, expect) << t;
    }
  }
  // A bad amount in the last row names its line, counting the quoted newlines.
  std::istringstream bad(csv + "Z,1,A,B,abc,\n");
  try {
    (void)ingest_csv(bad, m);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "row " + std::to_string(line + 1) + ", column x: not a number");
  }
  // A quote left open at the end of a large file.
  std::istringstream open_quote(csv + "Z,1,A,B,1,\"never closed\n");
  EXPECT_THROW((void)ingest_csv(open_quote, m), Error);
}

}  // namespace
}  // namespace ctis::finance
