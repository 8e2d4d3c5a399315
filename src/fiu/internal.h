// Pieces the desk's files share: role checks, record names, and the sealing of the financial
// personal data each table row holds (names encrypted, blind indexes for lookups by subject).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fiu/fiu.h"

namespace ctis::fiu {

// A scan's ledger, decrypted and parsed once, shared read-only by the requests that need it.
struct Desk::Cached {
  finance::Ledger ledger;
  std::string typologies_version;
};

namespace detail {

void require_analyst(const auth::Principal& by);
// Scans are loaded by analysts, or by the operator at the command line (no user id).
void require_loader(const auth::Principal& by);
[[noreturn]] void no_such_item(std::int64_t id);

inline std::string record_of(std::int64_t item) { return "finance_hit:" + std::to_string(item); }
inline std::string scan_record(std::int64_t scan) { return "finance_scan:" + std::to_string(scan); }

// Field names: the associated data of each ciphertext, so one cannot be moved to another column.
inline constexpr const char* kLedgerField = "fiu_scans.ledger";
inline constexpr const char* kHitNamesField = "fiu_hits.names";
inline constexpr const char* kRiskNamesField = "fiu_risk.names";
inline constexpr const char* kPartyNamesField = "fiu_party_risk.names";
inline constexpr const char* kReportField = "fiu_reports.xml";

// The blind index of an account name. Hex first: blind indexes fold case, account ids do not.
std::string subject_key(const vault::Keyring& keys, const std::string& account);

// What a fiu_hits row keeps encrypted.
struct HitNames {
  std::string subject, party, explanation;
  std::vector<std::string> accounts;
};
store::Blob seal_hit(const vault::Keyring& keys, const HitNames& n);
HitNames open_hit(const vault::Keyring& keys, const store::Blob& sealed);

// What a fiu_risk row keeps encrypted (a fiu_party_risk row: the party and its accounts).
struct RiskNames {
  std::string account, party;
  std::vector<std::string> accounts;
};
store::Blob seal_risk(const vault::Keyring& keys, const RiskNames& n,
                      const char* field = kRiskNamesField);
RiskNames open_risk(const vault::Keyring& keys, const store::Blob& sealed,
                    const char* field = kRiskNamesField);

// The columns item_of() reads, in its order; names_enc is the 4th.
extern const char* const kItemColumns;
Item item_of(const store::Row& r, const vault::Keyring& keys);
// The item and, when asked, its transactions_json (positions in the scan's ledger).
std::optional<Item> find_item(store::Connection& c, const vault::Keyring& keys, std::int64_t id,
                              std::string* transactions_json);

// Encrypts the rows written before the desk encrypted (migration 0017) in one transaction.
std::int64_t seal_clear_rows(store::Database& db, const vault::Keyring& keys);

}  // namespace detail
}  // namespace ctis::fiu
