// Synthetic person records with planted duplicates (generate_persons), and writing a table as
// CSV. Every random choice comes from one seeded splitmix64 stream with our own range mapping,
// so a seed gives the same file on every platform and standard library.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ostream>
#include <string>

#include "core/core.h"
#include "core/random.h"
#include "dedup/dedup.h"
#include "dedup/generate_lists.h"

namespace ctis::dedup {

namespace {

using detail::Place;

// SplitMix64 with the draws the generator makes millions of times: a fast index (the high half
// of a 32x32 product, bias below 2^-32 x n, negligible for lists of names) and a coin.
class Random : public SplitMix64 {
 public:
  using SplitMix64::SplitMix64;
  std::size_t below(std::size_t n) { return ((next() >> 32) * n) >> 32; }
  double uniform() { return unit(); }
  bool chance(double p) { return unit() < p; }
};

// Picks an index of a list by Zipf-like weights 1 / (rank + offset)^exponent: a few values are
// common, most are rare, as with real names.
class Zipf {
 public:
  Zipf(std::size_t size, double offset, double exponent) {
    double total = 0;
    for (std::size_t k = 0; k < size; ++k) {
      total += 1.0 / std::pow(static_cast<double>(k + 1) + offset, exponent);
      cumulative_.push_back(total);
    }
    for (double& c : cumulative_) c /= total;
  }
  std::size_t pick(Random& rng) const {
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), rng.uniform());
    return std::min(static_cast<std::size_t>(it - cumulative_.begin()), cumulative_.size() - 1);
  }

 private:
  std::vector<double> cumulative_;
};

enum Field : std::size_t {
  rec_id,
  given_name,
  surname,
  street_number,
  address_1,
  address_2,
  suburb,
  postcode,
  state,
  date_of_birth,
  soc_sec_id,
  kFieldCount
};

struct Generator {
  explicit Generator(std::uint64_t seed)
      : rng(seed),
        given(detail::given_names().size(), 8, 1.1),
        family(detail::surnames().size(), 6, 1.0),
        street(detail::street_names().size(), 4, 0.9),
        street_type(detail::street_types().size(), 1, 1.3),
        locality(detail::localities().size(), 3, 1.0),
        place(detail::places().size(), 5, 0.9) {}

  Random rng;
  Zipf given, family, street, street_type, locality, place;

  std::string maybe(double missing, std::string value) {
    return rng.chance(missing) ? std::string() : std::move(value);
  }

  std::string street_number() {
    // Log-uniform over 1..300: low numbers are the most common, as on real streets.
    return std::to_string(static_cast<int>(std::exp(rng.uniform() * std::log(300.0))));
  }

  void set_address(Record& r) {
    r[Field::street_number] = maybe(0.02, street_number());
    r[Field::address_1] =
        maybe(0.01, std::string(detail::street_names()[street.pick(rng)]) + " " +
                        std::string(detail::street_types()[street_type.pick(rng)]));
    r[Field::address_2] = maybe(0.45, std::string(detail::localities()[locality.pick(rng)]));
    const Place& p = detail::places()[place.pick(rng)];
    r[Field::suburb] = maybe(0.01, std::string(p.suburb));
    r[Field::postcode] = maybe(0.01, p.postcode);
    r[Field::state] = maybe(0.02, std::string(p.state));
  }

  Record original(std::size_t entity) {
    Record r(kFieldCount);
    r[Field::rec_id] = "rec-" + std::to_string(entity) + "-org";
    r[Field::given_name] = maybe(0.02, std::string(detail::given_names()[given.pick(rng)]));
    r[Field::surname] = maybe(0.01, std::string(detail::surnames()[family.pick(rng)]));
    set_address(r);
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int year = 1930 + static_cast<int>(rng.below(79));
    const int month = 1 + static_cast<int>(rng.below(12));
    const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    const int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
    const int day = 1 + static_cast<int>(rng.below(static_cast<std::size_t>(days)));
    r[Field::date_of_birth] = maybe(0.02, std::to_string(year * 10000 + month * 100 + day));
    r[Field::soc_sec_id] = std::to_string(1000000 + rng.below(9000000));
    return r;
  }

  // One keyboard slip: insert, delete, substitute or transpose a character (a number keeps its
  // length: digits are substituted or transposed).
  void typo(std::string& v, bool digits) {
    const char any =
        digits ? static_cast<char>('0' + rng.below(10)) : static_cast<char>('a' + rng.below(26));
    if (v.empty()) return;
    const std::size_t at = rng.below(v.size());
    switch (digits ? 2 + rng.below(2) : rng.below(4)) {
      case 0:
        v.insert(v.begin() + static_cast<std::ptrdiff_t>(at), any);
        break;
      case 1:
        if (v.size() > 1) v.erase(at, 1);
        break;
      case 2:
        v[at] = v[at] == any ? static_cast<char>(digits ? '0' + (any - '0' + 1) % 10
                                                        : 'a' + (any - 'a' + 1) % 26)
                             : any;
        break;
      default:
        if (v.size() > 1) {
          const std::size_t i = at + 1 < v.size() ? at : at - 1;
          std::swap(v[i], v[i + 1]);
        }
    }
  }

  void swap_day_month(std::string& dob) {
    if (dob.size() != 8) return;
    const int month = std::stoi(dob.substr(4, 2)), day = std::stoi(dob.substr(6, 2));
    if (day <= 12 && day != month) {
      dob = dob.substr(0, 4) + dob.substr(6, 2) + dob.substr(4, 2);
    } else {
      typo(dob, true);
    }
  }

  void corrupt(Record& r) {
    static constexpr Field kText[] = {Field::given_name, Field::surname, Field::address_1,
                                      Field::address_2, Field::suburb};
    static constexpr Field kDigits[] = {Field::soc_sec_id, Field::postcode, Field::street_number,
                                        Field::date_of_birth};
    const double roll = rng.uniform();
    if (roll < 0.35) {
      typo(r[kText[rng.below(std::size(kText))]], false);
    } else if (roll < 0.52) {
      typo(r[kDigits[rng.below(std::size(kDigits))]], true);
    } else if (roll < 0.70) {
      r[1 + rng.below(kFieldCount - 1)].clear();  // a missing value
    } else if (roll < 0.78) {
      swap_day_month(r[Field::date_of_birth]);
    } else if (roll < 0.90) {
      std::string& name = r[Field::given_name];
      const auto& nicks = detail::nicknames();
      const auto it =
          std::find_if(nicks.begin(), nicks.end(), [&](const auto& p) { return p.first == name; });
      if (it != nicks.end()) {
        name = std::string(it->second);
      } else {
        typo(name, false);
      }
    } else {
      set_address(r);  // the person moved
    }
  }
};

}  // namespace

Table generate_persons(std::size_t rows, double duplicate_share, std::uint64_t seed) {
  if (!(duplicate_share >= 0 && duplicate_share <= 0.9)) {
    fail_invalid("duplicate_share", "the duplicate share must lie between 0 and 0.9");
  }
  if (rows > 0xFFFFFFFFULL) fail_invalid("rows", "at most 2^32 - 1 records");
  const auto duplicates =
      static_cast<std::size_t>(std::llround(static_cast<double>(rows) * duplicate_share));
  const std::size_t originals = rows - duplicates;
  if (originals == 0 && rows > 0) fail_invalid("rows", "too few records for one original");

  Generator g(seed);
  Table t;
  t.columns = {"rec_id", "given_name", "surname", "street_number", "address_1", "address_2",
               "suburb", "postcode",   "state",   "date_of_birth", "soc_sec_id"};
  t.rows.reserve(rows);
  for (std::size_t e = 0; e < originals; ++e) t.rows.push_back(g.original(e));
  std::vector<std::uint32_t> copies(originals, 0);
  for (std::size_t d = 0; d < duplicates; ++d) {
    const std::size_t e = g.rng.below(originals);
    Record r = t.rows[e];
    r[Field::rec_id] = "rec-" + std::to_string(e) + "-dup-" + std::to_string(copies[e]++);
    // One to three corruptions, fewer more often; a duplicate always differs somewhere.
    const double roll = g.rng.uniform();
    const int corruptions = roll < 0.5 ? 1 : roll < 0.85 ? 2 : 3;
    for (int c = 0; c < corruptions; ++c) g.corrupt(r);
    for (int tries = 0; tries < 8 && std::equal(r.begin() + 1, r.end(), t.rows[e].begin() + 1);
         ++tries) {
      g.corrupt(r);
    }
    t.rows.push_back(std::move(r));
  }
  // Shuffled, so a file's order says nothing about which records belong together.
  for (std::size_t i = t.rows.size(); i > 1; --i) std::swap(t.rows[i - 1], t.rows[g.rng.below(i)]);
  return t;
}

std::vector<std::string> entities_from_ids(const Table& table, std::string_view column) {
  const std::size_t col = table.column(column);
  std::vector<std::string> out;
  out.reserve(table.size());
  for (const auto& row : table.rows) {
    const std::string& id = row[col];
    const std::size_t start = id.find('-');
    const std::size_t end = start == std::string::npos ? start : id.find('-', start + 1);
    out.push_back(start == std::string::npos || end == std::string::npos
                      ? std::string()
                      : id.substr(start + 1, end - start - 1));
  }
  return out;
}

void write_csv(std::ostream& out, const Table& table) {
  auto cell = [&out](const std::string& v) {
    if (v.find_first_of(",\"\n\r") == std::string::npos &&
        (v.empty() || (v.front() != ' ' && v.back() != ' '))) {
      out << v;
      return;
    }
    out << '"';
    for (char c : v) {
      if (c == '"') out << '"';
      out << c;
    }
    out << '"';
  };
  auto line = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out << ',';
      cell(row[i]);
    }
    out << '\n';
  };
  line(table.columns);
  for (const auto& row : table.rows) line(row);
}

}  // namespace ctis::dedup
