// Metadata stripping, receipt codes, text checks, and real deletion on both stores.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <regex>
#include <set>

#include "images.h"
#include "reports/internal.h"
#include "support/platform.h"

namespace ctis::reports {
namespace {

using namespace fixtures;

std::string error_message(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ReportAttachments, PngTextChunksAreRemoved) {
  const std::string with_gps = png(
      png_chunk("tEXt", std::string("Comment\0GPS 37.04N 22.11E", 25)) +
      png_chunk("eXIf", std::string("MM\0*GPS", 7)) + png_chunk("tIME", std::string(7, '\x01')) +
      png_chunk("gAMA", be32(45455)) + png_chunk("zzZz", "private"));
  ASSERT_NE(with_gps.find("GPS"), std::string::npos);
  const std::string out = detail::strip_image("attachments/1", with_gps);
  EXPECT_EQ(out.find("GPS"), std::string::npos);
  EXPECT_EQ(out.find("tIME"), std::string::npos);
  EXPECT_EQ(out.find("zzZz"), std::string::npos);
  EXPECT_NE(out.find("gAMA"), std::string::npos);  // safe ancillary chunks stay
  EXPECT_EQ(out, png(png_chunk("gAMA", be32(45455))));
  EXPECT_EQ(detail::strip_image("f", png()), png());  // nothing to strip: unchanged
}

TEST(ReportAttachments, PngDamageIsRefused) {
  std::string bad_crc = png();
  bad_crc[bad_crc.size() - 20] ^= 0x01;  // inside IDAT
  EXPECT_NE(error_message([&] {
              detail::strip_image("attachments/2", bad_crc);
            }).find("attachments/2: damaged PNG (checksum"),
            std::string::npos);
  const std::string full = png();
  EXPECT_NE(error_message([&] {
              detail::strip_image("a", full.substr(0, full.size() - 12));
            }).find("truncated PNG"),
            std::string::npos);
  EXPECT_NE(error_message([&] {
              detail::strip_image("a", png(png_chunk("ZZZZ", "x")));
            }).find("unsupported PNG chunk ZZZZ"),
            std::string::npos);
}

TEST(ReportAttachments, JpegExifAndCommentsAreRemoved) {
  const std::string exif =
      jpeg(jpeg_segment(0xE1, std::string("Exif\0\0GPSLatitude 37.04", 23)) +
           jpeg_segment(0xFE, "taken by Nikos") + jpeg_segment(0xE2, "ICC_PROFILE serial 12345"));
  const std::string out = detail::strip_image("attachments/1", exif + "trailing secret");
  EXPECT_EQ(out, jpeg());
  EXPECT_EQ(out.find("GPS"), std::string::npos);
  EXPECT_EQ(out.find("Nikos"), std::string::npos);
  EXPECT_EQ(out.find("secret"), std::string::npos);
}

TEST(ReportAttachments, JpegDamageAndDisguisesAreRefused) {
  const std::string full = jpeg();
  for (std::size_t cut : {full.size() - 2, full.size() - 6, std::size_t{10}}) {
    EXPECT_NE(error_message([&] {
                detail::strip_image("attachments/1", full.substr(0, cut));
              }).find("attachments/1: truncated JPEG"),
              std::string::npos)
        << cut;
  }
  for (const std::string& disguised :
       {std::string("MZ\x90\x00", 4), std::string("PK\x03\x04", 4), std::string("<html>"),
        std::string("GIF89a"), std::string()}) {
    EXPECT_EQ(error_message([&] { detail::strip_image("attachments/1", disguised); }),
              "attachments/1: not a JPEG or PNG image");
  }
}

TEST(ReportAttachments, FilenamesAreReducedToASafeBaseName) {
  EXPECT_EQ(detail::safe_filename("f", "C:\\Users\\maria\\IMG_001.jpg", 1), "IMG_001.jpg");
  EXPECT_EQ(detail::safe_filename("f", "../../etc/passwd", 1), "passwd");
  EXPECT_EQ(detail::safe_filename("f", "..", 2), "attachment-2");
  EXPECT_EQ(detail::safe_filename("f", "a\nb<c>.png", 1), "a_b_c_.png");
}

TEST(ReceiptCodes, HundredBitsGroupedAndForgivingToRead) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const auto code = detail::new_receipt_code();
    ASSERT_EQ(code.size(), 24U);
    EXPECT_EQ(code[4], '-');
    EXPECT_EQ(code[19], '-');
    const auto canonical = detail::normalize_receipt_code(code);
    ASSERT_TRUE(canonical.has_value());
    EXPECT_EQ(canonical->size(), 20U);
    seen.insert(*canonical);
  }
  EXPECT_EQ(seen.size(), 200U);
  EXPECT_EQ(detail::normalize_receipt_code("abcd efgh-ijkl mnop qrsu"), std::nullopt);  // no U
  EXPECT_EQ(detail::normalize_receipt_code("oOiI-lL00-1111-2222-3333"), "00111100111122223333");
  EXPECT_EQ(detail::normalize_receipt_code("0000-0000"), std::nullopt);
  EXPECT_EQ(detail::normalize_receipt_code("0000-0000-0000-0000-00000"), std::nullopt);
  // Lookup and wrap keys are distinct derivations of the same code.
  const std::string c = "7KQ2M9XD4HBWT0RCZ5PA";
  EXPECT_NE(detail::receipt_lookup(c),
            to_hex(std::span(detail::receipt_wrap_key(c).bytes.data(), 32)));
  EXPECT_EQ(detail::receipt_lookup(c), detail::receipt_lookup(c));
}

TEST(ReportText, ControlCharactersAndLengthInCodePoints) {
  EXPECT_NO_THROW(detail::check_text("t", "line\nnext\ttab", 100, true));
  EXPECT_NO_THROW(
      detail::check_text("t", "\xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A", 4, true));  // 4 Arabic letters
  EXPECT_THROW(detail::check_text("t", "\xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A", 3, true), Error);
  EXPECT_EQ(error_message([] { detail::check_text("place", "a\rb", 10, false); }),
            "place: control characters are not allowed (only line breaks and tabs)");
  EXPECT_THROW(detail::check_text("t", "\xC2\x85", 10, false), Error);  // C1 NEL
  // A browser's CR LF becomes LF; a lone CR is still refused.
  EXPECT_EQ(detail::normalize_newlines("one\r\ntwo\r\n\rthree"), "one\ntwo\n\rthree");
  EXPECT_EQ(error_message([] { detail::check_text("description", "  \n", 10, true); }),
            "description: required");
  EXPECT_EQ(error_message([] { detail::check_text("description", "\xED\xA0\x80", 10, true); }),
            "description: not valid UTF-8");
}

TEST(ReportDays, CalendarArithmetic) {
  EXPECT_EQ(detail::add_days("2024-02-28", 1), "2024-02-29");
  EXPECT_EQ(detail::add_days("2023-12-31", 90), "2024-03-30");
  EXPECT_FALSE(detail::valid_day("2023-02-29"));
  EXPECT_TRUE(std::regex_match(detail::today(), std::regex(R"(^\d{4}-\d{2}-\d{2}$)")));
}

// Every byte the store keeps on disk for this test's database. SQLite: the file and its WAL.
// PostgreSQL: after a checkpoint, the files of every relation of the database (tables, TOAST,
// indexes); the server's WAL is outside what purging promises (docs/decisions/0006).
std::string store_bytes(testing::Platform& p) {
  const auto read = [](const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  if (p.db->dialect() == store::Dialect::sqlite) {
    const auto path = p.test_db.url().substr(std::string("sqlite:").size());
    return read(path) + read(path + "-wal");
  }
  auto lease = p.db->connection();
  lease->execute("CHECKPOINT");
  const auto where = lease->query_one(
      "SELECT current_setting('data_directory'), oid::text FROM pg_database "
      "WHERE datname = current_database()");
  const std::filesystem::path folder =
      std::filesystem::path(where->text(0)) / "base" / where->text(1);
  std::string bytes;
  for (const auto& file : std::filesystem::directory_iterator(folder)) bytes += read(file.path());
  EXPECT_GT(bytes.size(), 0U) << "cannot read " << folder;
  return bytes;
}

class ReportPurge : public ::testing::TestWithParam<store::Dialect> {};

// Deleting is real: after purge, no file of the store holds the report's ciphertext, its
// receipt lookup hash or its key wrap.
TEST_P(ReportPurge, NoCopyLeftInTheStoreFiles) {
  testing::Platform p(GetParam());
  Settings settings;
  settings.fast_key_derivation = true;
  Reports reports(*p.db, *p.audit, settings);
  Submission s;
  s.description = "A report that must vanish completely";
  const auto receipt = reports.submit(s);
  reports.submit(s);  // a neighbour on the same pages, kept alive by a later expiry below
  std::string content, lookup, wrap;
  {
    auto lease = p.db->connection();
    const auto c = lease->query_one("SELECT content_enc FROM report_contents WHERE report_id = ?",
                                    {receipt.report_id});
    content.assign(c->blob(0).begin(), c->blob(0).end());
    const auto r = lease->query_one(
        "SELECT lookup, key_wrap FROM report_receipts WHERE report_id = ?", {receipt.report_id});
    lookup = r->text(0);
    wrap.assign(r->blob(1).begin(), r->blob(1).end());
    lease->execute("UPDATE reports SET expires_day = '2000-01-01' WHERE id = ?",
                   {receipt.report_id});
  }
  const std::string before = store_bytes(p);
  ASSERT_NE(before.find(content.substr(24, 32)), std::string::npos);  // the test can see it
  ASSERT_NE(before.find(lookup), std::string::npos);

  EXPECT_EQ(reports.purge_expired("2000-01-02"), 1);
  const std::string after = store_bytes(p);
  EXPECT_EQ(after.find(content.substr(24, 32)), std::string::npos);
  EXPECT_EQ(after.find(lookup), std::string::npos);
  EXPECT_EQ(after.find(wrap.substr(24)), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Stores, ReportPurge,
                         ::testing::Values(store::Dialect::sqlite, store::Dialect::postgresql),
                         testing::dialect_name);

}  // namespace
}  // namespace ctis::reports
