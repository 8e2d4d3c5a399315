#include "vault/vault.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "core/core.h"

namespace ctis::vault {
namespace {

class VaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ctis-vault-" + random_token(6));
    path_ = (dir_ / "keys" / "ctis.key").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(VaultTest, CreatesKeyFileWithPrivatePermissions) {
  auto ring = Keyring::open(path_, true);
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  ASSERT_EQ(::stat((dir_ / "keys").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700);
  EXPECT_EQ(ring->key_ids().size(), 1u);
}

TEST_F(VaultTest, EncryptsAndOpensOnlyWithTheSameField) {
  auto ring = Keyring::open(path_, true);
  const auto c = ring->encrypt("Amara Diallo", "users.display_name");
  const std::string raw(c.begin(), c.end());
  EXPECT_EQ(raw.find("Amara"), std::string::npos);
  EXPECT_EQ(ring->decrypt(c, "users.display_name"), "Amara Diallo");
  EXPECT_THROW(ring->decrypt(c, "users.email"), Error);
  auto tampered = c;
  tampered.back() ^= 1;
  EXPECT_THROW(ring->decrypt(tampered, "users.display_name"), Error);
  // Two encryptions of one value differ (random nonces).
  EXPECT_NE(ring->encrypt("x", "f"), ring->encrypt("x", "f"));
}

TEST_F(VaultTest, ReloadedKeyringOpensEarlierCiphertexts) {
  const auto c = Keyring::open(path_, true)->encrypt("secret", "f");
  auto again = Keyring::open(path_, false);
  EXPECT_EQ(again->decrypt(c, "f"), "secret");
}

TEST_F(VaultTest, BlindIndexIsStableNormalisedAndFieldBound) {
  auto ring = Keyring::open(path_, true);
  EXPECT_EQ(ring->blind_index(" Lucia@Example.org ", "users.email"),
            ring->blind_index("lucia@example.org", "users.email"));
  EXPECT_NE(ring->blind_index("lucia@example.org", "users.email"),
            ring->blind_index("lucia@example.org", "cases.email"));
  EXPECT_EQ(ring->blind_index("a", "f").size(), 32u);
}

TEST_F(VaultTest, RotationKeepsOldDataReadableUntilRetired) {
  auto ring = Keyring::open(path_, true);
  const std::string first = ring->active_key_id();
  const auto old_cipher = ring->encrypt("before", "f");
  ring->add_key();
  EXPECT_NE(ring->active_key_id(), first);
  EXPECT_EQ(Keyring::key_id_of(ring->encrypt("after", "f")), ring->active_key_id());
  // Both keys are saved, so a crash now loses nothing; and nobody may open the keyring until
  // the rotation ends.
  std::ifstream saved(path_);
  const std::string text((std::istreambuf_iterator<char>(saved)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("key " + first + " "), std::string::npos);
  EXPECT_NE(text.find("key " + ring->active_key_id() + " "), std::string::npos);
  EXPECT_THROW(Keyring::open(path_, false), Error);
  EXPECT_EQ(ring->decrypt(old_cipher, "f"), "before");
  ring->retire_inactive();
  EXPECT_EQ(Keyring::open(path_, false)->key_ids().size(), 1u);
  EXPECT_THROW(ring->decrypt(old_cipher, "f"), Error);
}

TEST_F(VaultTest, NoRotationWhileAnotherProcessUsesTheKeys) {
  auto server = Keyring::open(path_, true);
  auto operator_view = Keyring::open(path_, false);
  try {
    operator_view->add_key();
    FAIL() << "rotated under a running user of the key file";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "key_in_use");
  }
  EXPECT_EQ(Keyring::open(path_, false)->key_ids().size(), 1u);  // file untouched
  server.reset();
  operator_view->add_key();
  operator_view->retire_inactive();
  EXPECT_NE(Keyring::open(path_, false)->active_key_id(), "");
}

TEST_F(VaultTest, RefusesMissingLooseOrMalformedFiles) {
  EXPECT_THROW(Keyring::open(path_, false), Error);
  Keyring::open(path_, true);
  ::chmod(path_.c_str(), 0644);
  try {
    Keyring::open(path_, false);
    FAIL() << "a world-readable key file was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::unavailable);
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos);
  }
  std::ofstream(path_, std::ios::trunc) << "format 1\nactive k1\nkey k1 notbase64!\n";
  ::chmod(path_.c_str(), 0600);
  EXPECT_THROW(Keyring::open(path_, false), Error);
  std::ofstream(path_, std::ios::trunc) << "garbage\n";
  EXPECT_THROW(Keyring::open(path_, false), Error);
}

}  // namespace
}  // namespace ctis::vault
