#include "core/core.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "core/config.h"
#include "core/refdata.h"

namespace ctis {
namespace {

std::string write_temp(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("ctis-" + random_token(6) + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

TEST(Encoding, HexRoundTripAndRejectsGarbage) {
  const std::vector<std::uint8_t> bytes = {0x00, 0x7f, 0x80, 0xff};
  EXPECT_EQ(to_hex(bytes), "007f80ff");
  EXPECT_EQ(from_hex("007F80ff"), bytes);
  EXPECT_THROW(from_hex("abc"), Error);
  EXPECT_THROW(from_hex("zz"), Error);
}

TEST(Encoding, Base64KnownAnswers) {
  // RFC 4648 section 10 test vectors.
  const std::string in = "foobar";
  EXPECT_EQ(to_base64(std::vector<std::uint8_t>(in.begin(), in.begin() + 1)), "Zg==");
  EXPECT_EQ(to_base64(std::vector<std::uint8_t>(in.begin(), in.end())), "Zm9vYmFy");
  const auto back = from_base64("Zm9vYg==");
  EXPECT_EQ(std::string(back.begin(), back.end()), "foob");
  EXPECT_THROW(from_base64("Zm9v!"), Error);
}

TEST(Encoding, Sha256KnownAnswer) {
  // FIPS 180-2 example "abc".
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Encoding, Utf8Validation) {
  EXPECT_TRUE(valid_utf8("plain"));
  EXPECT_TRUE(valid_utf8("Lucía — مرحبا — 😀"));
  EXPECT_FALSE(valid_utf8("\xff"));
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(valid_utf8("\xe2\x82"));          // truncated
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
}

TEST(Time, Iso8601) {
  EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso8601(1764396896123), "2025-11-29T06:14:56.123Z");
}

TEST(Tokens, RandomTokensDifferAndAreUrlSafe) {
  const auto a = random_token(32), b = random_token(32);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 43u);
  EXPECT_EQ(a.find_first_of("+/="), std::string::npos);
}

TEST(Config, DefaultsDependOnDataDir) {
  const Config c = load_config("", {{"data_dir", "/srv/ctis"}});
  EXPECT_EQ(c.store_url(), "sqlite:/srv/ctis/ctis.db");
  EXPECT_EQ(c.keys_file(), "/srv/ctis/keys/ctis.key");
}

TEST(Config, FileThenEnvironmentThenFlags) {
  const auto path = write_temp(
      "data_dir = \"/from/file\"\n[server]\nlisten = \"127.0.0.1:1111\"\nworker_threads = 4\n");
  ::setenv("CTIS_LISTEN", "127.0.0.1:2222", 1);
  Config c = load_config(path, {});
  EXPECT_EQ(c.data_dir, "/from/file");
  EXPECT_EQ(c.server.listen, "127.0.0.1:2222");  // environment beats file
  EXPECT_EQ(c.server.worker_threads, 4);
  c = load_config(path, {{"server.listen", "127.0.0.1:3333"}});
  EXPECT_EQ(c.server.listen, "127.0.0.1:3333");  // flags beat environment
  ::unsetenv("CTIS_LISTEN");
  std::filesystem::remove(path);
}

TEST(Config, ErrorsNameTheKey) {
  const auto unknown = write_temp("[server]\nlisen = \"x\"\n");
  try {
    load_config(unknown, {});
    FAIL() << "unknown key accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "server.lisen");
  }
  const auto bad = write_temp("[server]\nworker_threads = 0\n");
  try {
    load_config(bad, {});
    FAIL() << "out-of-range value accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "server.worker_threads");
    EXPECT_NE(std::string(e.what()).find("1..256"), std::string::npos);
  }
  const auto broken = write_temp("[server\n");
  EXPECT_THROW(load_config(broken, {}), Error);
  EXPECT_THROW(load_config("/nonexistent/ctis.toml", {}), Error);
  EXPECT_THROW(load_config("", {{"server.listen", "nocolon"}}), Error);
  for (const auto& p : {unknown, bad, broken}) std::filesystem::remove(p);
}

TEST(Config, PrintMasksSecrets) {
  const Config c =
      load_config("", {{"store.url", "postgresql://ctis:hunter2secret@db.local:5432/ctis"}});
  const std::string text = print_config(c);
  EXPECT_EQ(text.find("hunter2secret"), std::string::npos);
  EXPECT_NE(text.find("postgresql://ctis:*****@db.local:5432/ctis"), std::string::npos);
  EXPECT_NE(text.find("[server]"), std::string::npos);
}

TEST(Errors, KindsMapToStatusAndExitCodes) {
  EXPECT_EQ(http_status(ErrorKind::invalid), 400);
  EXPECT_EQ(http_status(ErrorKind::forbidden), 403);
  EXPECT_EQ(http_status(ErrorKind::unavailable), 503);
  EXPECT_EQ(exit_code(ErrorKind::unavailable), 7);
  EXPECT_EQ(exit_code(ErrorKind::invalid), 2);
}

TEST(RefData, CountriesByEitherCode) {
  EXPECT_EQ(countries().size(), 249u);
  const Country* ng = find_country("nga");
  ASSERT_NE(ng, nullptr);
  EXPECT_EQ(ng->alpha2, "NG");
  EXPECT_EQ(ng->numeric, "566");
  EXPECT_EQ(find_country("NG"), ng);
  EXPECT_EQ(find_country("XXX"), nullptr);
  EXPECT_EQ(find_country(""), nullptr);
}

TEST(RefData, EmbeddedFilesMatchTheDataFolder) {
  const char* root_env = std::getenv("CTIS_SOURCE_DIR");
  ASSERT_NE(root_env, nullptr) << "CTIS_SOURCE_DIR is set by the test harness";
  const std::string root = root_env;
  std::ifstream in(root + "/data/countries.tsv");
  const std::string on_disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_TRUE(reference_files().count("countries.tsv"));
  EXPECT_EQ(reference_files().at("countries.tsv"), on_disk);
  EXPECT_FALSE(reference_files().count("README.md"));
}

}  // namespace
}  // namespace ctis
