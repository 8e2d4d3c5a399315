#include "support/test_db.h"

#include <cstdlib>

namespace ctis::testing {

TestDb::TestDb(store::Dialect dialect) {
  const char* pg = std::getenv("CTIS_TEST_PG_URL");
  if (dialect == store::Dialect::postgresql && (!pg || !*pg)) {
    ADD_FAILURE() << "CTIS_TEST_PG_URL is not set: run the tests with scripts/test.sh, which "
                     "starts PostgreSQL";
    throw std::runtime_error("CTIS_TEST_PG_URL missing");
  }
  dir_ = std::filesystem::temp_directory_path() / ("ctis-test-" + random_token(8));
  std::filesystem::create_directories(dir_);
  if (dialect == store::Dialect::sqlite) {
    url_ = "sqlite:" + (dir_ / "test.db").string();
    return;
  }
  admin_url_ = pg;
  name_ = "t_" + to_hex(random_bytes(6));
  store::Options o;
  o.url = admin_url_;
  o.pool_size = 1;
  auto admin = store::Database::open(o);
  admin->connection()->execute("CREATE DATABASE " + name_);
  url_ = admin_url_.substr(0, admin_url_.rfind('/') + 1) + name_;
}

TestDb::~TestDb() {
  if (!name_.empty()) {
    try {
      store::Options o;
      o.url = admin_url_;
      o.pool_size = 1;
      auto admin = store::Database::open(o);
      admin->connection()->execute("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // A leftover test database is harmless: the server is thrown away after the run.
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::unique_ptr<store::Database> TestDb::open(int pool_size) const {
  store::Options o;
  o.url = url_;
  o.pool_size = pool_size;
  return store::Database::open(o);
}

std::string dialect_name(const ::testing::TestParamInfo<store::Dialect>& info) {
  return info.param == store::Dialect::sqlite ? "sqlite" : "postgresql";
}

}  // namespace ctis::testing
