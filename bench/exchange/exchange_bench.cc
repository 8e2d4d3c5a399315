// The exchange end to end in one process: two parties of N records each (half of them the same
// people, with a few bits of noise) upload random 1024-bit CLKs to a project on a fresh SQLite
// database; the second upload matches (on the exchange's worker thread when the project is
// over Limits::match_in_background_over: then the upload returns first). Prints the time of
// each step and the matches found.
//
//   exchange_bench [N=100000] [DIR=/tmp] [BACKGROUND_OVER=200000]
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>

#include "auth/auth.h"
#include "exchange/exchange.h"
#include "store/store.h"

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ctis;
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
  const std::filesystem::path dir =
      std::filesystem::path(argc > 2 ? argv[2] : "/tmp") / "ctis-exchange-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "keys");
  store::Options so;
  so.url = "sqlite:" + (dir / "bench.db").string();
  so.synchronous_full = false;
  auto db = store::Database::open(so);
  store::migrate(*db, store::builtin_migrations());
  auto keys = vault::Keyring::open((dir / "keys" / "ctis.key").string(), true);
  audit::AuditLog audit(*db);
  Config::Auth auth_settings;
  auth_settings.fast_password_hashing = true;
  auth::Auth auth(*db, keys, audit, auth_settings);
  const auto person = [&](const std::string& name, const std::string& org) {
    const auto u = auth.create_user(auth::operator_principal(),
                                    {name, "partner", org, "", "", "password for bench"}, true);
    auth::Principal p;
    p.user_id = u.id;
    p.username = u.username;
    p.role = u.role;
    p.organisation_id = u.organisation_id;
    return p;
  };
  const auto a = person("party.a", "Agency A");
  const auto b = person("party.b", "Agency B");
  exchange::Limits limits;
  if (argc > 3) limits.match_in_background_over = std::strtoull(argv[3], nullptr, 10);
  exchange::Exchange ex(*db, audit, limits);
  const std::string schema = R"({"version": 3,
    "clkConfig": {"l": 1024, "kdf": {"type": "HKDF", "hash": "SHA256", "keySize": 64}},
    "features": [{"identifier": "name", "format": {"type": "string", "encoding": "utf-8"},
      "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerToken": 20}}}]})";
  const auto project = ex.create_project(auth::operator_principal(),
                                         {"bench", schema, 0.8, {"Agency A", "Agency B"}});

  // Party A: N random CLKs. Party B: the first N/2 of A's people with 30 bits flipped, then
  // N/2 others.
  std::mt19937_64 rng(42);
  const auto clk = [&] {
    std::vector<std::uint8_t> bytes(128);
    for (auto& x : bytes) x = static_cast<std::uint8_t>(rng());
    return bytes;
  };
  exchange::Upload ua, ub;
  std::vector<std::vector<std::uint8_t>> people;
  for (std::size_t i = 0; i < n; ++i) {
    people.push_back(clk());
    ua.rows.push_back({"a" + std::to_string(i), to_base64(people.back())});
  }
  for (std::size_t i = 0; i < n; ++i) {
    auto c = i < n / 2 ? people[i] : clk();
    if (i < n / 2) {
      for (int f = 0; f < 30; ++f) {
        const auto bit = rng() % 1024;
        c[bit / 8] = static_cast<std::uint8_t>(c[bit / 8] ^ (0x80U >> (bit % 8)));
      }
    }
    ub.rows.push_back({"b" + std::to_string(i), to_base64(c)});
  }

  auto t = Clock::now();
  ex.upload(a, project.id, ua);
  const double upload_a = since(t);
  t = Clock::now();
  const auto after_b = ex.upload(b, project.id, ub);
  const double upload_b = since(t);
  // A project over Limits::match_in_background_over matches on the exchange's worker thread.
  ex.wait_for_background_matches();
  const double upload_b_and_match = since(t);
  const auto done = ex.project(a, project.id);
  t = Clock::now();
  const auto results = ex.results(a, project.id);
  const double read = since(t);
  std::size_t right = 0;
  for (const auto& m : results.matches) {
    right += std::strtoull(m.record_id.c_str() + 1, nullptr, 10) < n / 2;
  }
  std::cout << n << " x " << n << " CLKs: upload A " << upload_a << " s; upload B returned in "
            << upload_b << " s (" << after_b.status << "); upload B + match " << upload_b_and_match
            << " s (" << static_cast<double>(n) * static_cast<double>(n) / upload_b_and_match / 1e6
            << " M pairs/s end to end); results " << read << " s; status " << done.status << ", "
            << done.groups << " groups, " << right << " of " << n / 2 << " true pairs found\n";
  std::filesystem::remove_all(dir);
  return done.groups == static_cast<std::int64_t>(right) && right == n / 2 ? 0 : 1;
}
