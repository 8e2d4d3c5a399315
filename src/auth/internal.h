// Private to the auth module.
#pragma once

#include <string>

namespace ctis::auth {

// argon2id hash string of a password; `fast` uses libsodium's minimum cost (tests only).
std::string argon2id_hash(const std::string& password, bool fast);

}  // namespace ctis::auth
