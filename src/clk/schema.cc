// Reading a clkhash linkage schema v3. The checks follow clkhash's master schema
// (schemas/v3.json) and the extra checks clkhash makes when it builds its objects, so a schema
// accepted here is accepted by clkhash and encodes the same way. Every failure names the
// feature (or the clkConfig part) and the reason.
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>

#include <nlohmann/json.hpp>

#include "clk/clk.h"
#include "clk/internal.h"
#include "core/core.h"

namespace ctis::clk {

namespace {

using nlohmann::json;

// Bounds far above any real linkage schema, so a hostile schema cannot exhaust memory or time.
constexpr std::uint64_t kMaxHashLength = std::uint64_t{1} << 24;  // bits before folding
constexpr std::int64_t kMaxNgram = 64;
constexpr std::int64_t kMaxBits = 65536;  // bitsPerToken / bitsPerFeature
constexpr std::size_t kBlakeMaxKey = 64;  // BLAKE2b key limit

class Reader {
 public:
  // `where` is the error's field(): a feature identifier, or "clkConfig" etc.; `label` starts
  // the message ("feature 'name'"), and paths inside it follow.
  explicit Reader(std::string where, std::string label = {})
      : where_(std::move(where)), label_(std::move(label)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& reason) const {
    std::string message = "linkage schema: ";
    if (!label_.empty()) message += label_ + ": ";
    if (!path.empty()) message += path + ": ";
    fail_invalid(where_, message + reason);
  }

  const json& object(const json& parent, const char* key, const std::string& path) const {
    auto it = parent.find(key);
    if (it == parent.end()) fail(path, std::string("\"") + key + "\" is required");
    if (!it->is_object()) fail(path + "." + key, "must be an object");
    return *it;
  }

  void only_keys(const json& obj, const std::string& path,
                 std::initializer_list<const char*> keys) const {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      const std::string& key = it.key();
      if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; })) {
        fail(path, "unknown property \"" + key + "\"");
      }
    }
  }

  // JSON Schema "integer": 3 and 3.0 both count.
  std::optional<std::int64_t> integer(const json& obj, const char* key, const std::string& path,
                                      std::int64_t minimum) const {
    auto it = obj.find(key);
    if (it == obj.end()) return std::nullopt;
    std::int64_t value = 0;
    if (it->is_number_integer()) {
      if (it->is_number_unsigned() && it->get<std::uint64_t>() > std::uint64_t{INT64_MAX}) {
        fail(path + "." + key, "is too large");
      }
      value = it->get<std::int64_t>();
    } else if (it->is_number_float() && std::isfinite(it->get<double>()) &&
               std::trunc(it->get<double>()) == it->get<double>() &&
               std::fabs(it->get<double>()) < 9e15) {
      value = static_cast<std::int64_t>(it->get<double>());
    } else {
      fail(path + "." + key, "must be an integer");
    }
    if (value < minimum) {
      fail(path + "." + key, "must be at least " + std::to_string(minimum));
    }
    return value;
  }

  std::optional<std::string> string(const json& obj, const char* key,
                                    const std::string& path) const {
    auto it = obj.find(key);
    if (it == obj.end()) return std::nullopt;
    if (!it->is_string()) fail(path + "." + key, "must be a string");
    return it->get<std::string>();
  }

  std::optional<bool> boolean(const json& obj, const char* key, const std::string& path) const {
    auto it = obj.find(key);
    if (it == obj.end()) return std::nullopt;
    if (!it->is_boolean()) fail(path + "." + key, "must be true or false");
    return it->get<bool>();
  }

  std::vector<std::uint8_t> base64(const json& obj, const char* key,
                                   const std::string& path) const {
    auto text = string(obj, key, path);
    if (!text) return {};
    try {
      return ctis::from_base64(*text);
    } catch (const Error&) {
      fail(path + "." + key, "is not valid base64");
    }
  }

 private:
  std::string where_;
  std::string label_;
};

int small_int(std::int64_t v) {
  return static_cast<int>(std::min<std::int64_t>(v, std::numeric_limits<int>::max()));
}

void read_format(const Reader& r, const json& feature, Feature& f) {
  const json& format = r.object(feature, "format", "format");
  auto type = r.string(format, "type", "format");
  if (!type) r.fail("format", "\"type\" is required");
  if (*type == "string") {
    const bool has_pattern = format.contains("pattern");
    if (has_pattern) {
      r.only_keys(format, "format", {"type", "encoding", "pattern", "description"});
    } else {
      r.only_keys(format, "format",
                  {"type", "encoding", "case", "minLength", "maxLength", "description"});
    }
    f.type = FormatType::string;
    if (auto enc = r.string(format, "encoding", "format")) {
      if (*enc == "utf-8") {
        f.encoding = TextEncoding::utf8;
      } else if (*enc == "ascii") {
        f.encoding = TextEncoding::ascii;
      } else if (*enc == "utf-16") {
        f.encoding = TextEncoding::utf16;
      } else if (*enc == "utf-32") {
        f.encoding = TextEncoding::utf32;
      } else {
        r.fail("format.encoding",
               "must be one of ascii, utf-8, utf-16, utf-32, not \"" + *enc + "\"");
      }
    }
    if (auto c = r.string(format, "case", "format")) {
      if (*c == "mixed") {
        f.letter_case = LetterCase::mixed;
      } else if (*c == "lower") {
        f.letter_case = LetterCase::lower;
      } else if (*c == "upper") {
        f.letter_case = LetterCase::upper;
      } else {
        r.fail("format.case", "must be upper, lower or mixed, not \"" + *c + "\"");
      }
    }
    f.min_length = r.integer(format, "minLength", "format", 0);
    f.max_length = r.integer(format, "maxLength", "format", 1);
    if (f.min_length && f.max_length && *f.min_length > *f.max_length) {
      r.fail("format", "minLength is greater than maxLength");
    }
    if (has_pattern) {
      f.pattern = r.string(format, "pattern", "format");
      try {
        f.pattern_regex = std::make_shared<const std::regex>(*f.pattern, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        r.fail("format.pattern",
               "is not a valid regular expression (" + std::string(e.what()) + ")");
      }
    }
  } else if (*type == "integer") {
    r.only_keys(format, "format", {"type", "minimum", "maximum", "description"});
    f.type = FormatType::integer;
    const auto lowest = std::numeric_limits<std::int64_t>::min();
    f.minimum = r.integer(format, "minimum", "format", lowest);
    f.maximum = r.integer(format, "maximum", "format", lowest);
  } else if (*type == "date") {
    r.only_keys(format, "format", {"type", "format", "description"});
    f.type = FormatType::date;
    auto df = r.string(format, "format", "format");
    if (!df || df->empty()) r.fail("format", "a date needs a non-empty \"format\"");
    if (!detail::valid_date_format(*df)) {
      r.fail("format.format",
             "\"" + *df + "\" uses a directive other than %Y %m %d %y %H %M %S %b %B %%");
    }
    f.date_format = *df;
  } else if (*type == "enum") {
    r.only_keys(format, "format", {"type", "values", "description"});
    f.type = FormatType::enumeration;
    auto it = format.find("values");
    if (it == format.end() || !it->is_array()) r.fail("format", "an enum needs a \"values\" array");
    for (const auto& v : *it) {
      if (!v.is_string()) r.fail("format.values", "must hold only strings");
      f.enum_values.push_back(v.get<std::string>());
    }
  } else {
    r.fail("format.type", "must be string, integer, date or enum, not \"" + *type + "\"");
  }
}

void read_comparison(const Reader& r, const json& hashing, Feature& f) {
  const json& cmp = r.object(hashing, "comparison", "hashing");
  auto type = r.string(cmp, "type", "hashing.comparison");
  if (!type) r.fail("hashing.comparison", "\"type\" is required");
  if (*type == "ngram") {
    auto n = r.integer(cmp, "n", "hashing.comparison", 1);
    if (!n) r.fail("hashing.comparison", "an ngram comparison needs \"n\"");
    f.comparison = Comparison::ngram;
    if (*n > kMaxNgram) r.fail("hashing.comparison.n", "must be at most 64");
    f.ngram_n = small_int(*n);
    f.positional = r.boolean(cmp, "positional", "hashing.comparison").value_or(false);
  } else if (*type == "exact") {
    f.comparison = Comparison::exact;
  } else if (*type == "numeric") {
    f.comparison = Comparison::numeric;
    auto td = cmp.find("thresholdDistance");
    if (td == cmp.end() || !td->is_number() || !(td->get<double>() > 0) ||
        !std::isfinite(td->get<double>())) {
      r.fail("hashing.comparison.thresholdDistance", "must be a number greater than 0");
    }
    f.threshold_distance = td->get<double>();
    auto res = r.integer(cmp, "resolution", "hashing.comparison", 1);
    if (!res) r.fail("hashing.comparison", "a numeric comparison needs \"resolution\"");
    f.resolution = small_int(*res);
    // clkhash reads the snake_case key here (its master schema spells it so too).
    f.fractional_precision =
        small_int(r.integer(cmp, "fractional_precision", "hashing.comparison", 0).value_or(0));
    if (f.fractional_precision > 15) {
      r.fail("hashing.comparison.fractional_precision", "must be at most 15");
    }
    const double interval =
        std::nearbyint(f.threshold_distance * std::pow(10.0, f.fractional_precision));
    if (interval < 1) {
      r.fail("hashing.comparison", "not enough fractional_precision to encode thresholdDistance");
    }
    if (interval > 1e15 || f.resolution > 1000000) {
      r.fail("hashing.comparison", "thresholdDistance or resolution is too large");
    }
  } else {
    r.fail("hashing.comparison.type", "must be ngram, exact or numeric, not \"" + *type + "\"");
  }
}

void read_hashing(const Reader& r, const json& feature, Feature& f) {
  const json& hashing = r.object(feature, "hashing", "hashing");
  r.only_keys(hashing, "hashing", {"comparison", "strategy", "hash", "missingValue"});
  read_comparison(r, hashing, f);

  const json& strategy = r.object(hashing, "strategy", "hashing");
  r.only_keys(strategy, "hashing.strategy", {"bitsPerToken", "bitsPerFeature"});
  auto bpt = r.integer(strategy, "bitsPerToken", "hashing.strategy", 1);
  auto bpf = r.integer(strategy, "bitsPerFeature", "hashing.strategy", 1);
  if (bpt.has_value() == bpf.has_value()) {
    r.fail("hashing.strategy", "needs exactly one of bitsPerToken and bitsPerFeature");
  }
  if (bpt.value_or(0) > kMaxBits || bpf.value_or(0) > kMaxBits) {
    r.fail("hashing.strategy", "must be at most 65536 bits");
  }
  if (bpt) f.bits_per_token = small_int(*bpt);
  if (bpf) f.bits_per_feature = small_int(*bpf);

  f.hash = HashType::blake_hash;  // clkhash's default when "hash" is absent
  if (hashing.contains("hash")) {
    const json& hash = r.object(hashing, "hash", "hashing");
    auto type = r.string(hash, "type", "hashing.hash");
    if (!type) r.fail("hashing.hash", "\"type\" is required");
    auto ps = r.boolean(hash, "prevent_singularity", "hashing.hash");
    if (*type == "doubleHash") {
      f.hash = HashType::double_hash;
      f.prevent_singularity = ps.value_or(false);
    } else if (*type == "blakeHash") {
      if (ps) r.fail("hashing.hash", "prevent_singularity is only for doubleHash");
    } else {
      r.fail("hashing.hash.type", "must be doubleHash or blakeHash, not \"" + *type + "\"");
    }
  }

  if (hashing.contains("missingValue")) {
    const json& mv = r.object(hashing, "missingValue", "hashing");
    f.missing_sentinel = r.string(mv, "sentinel", "hashing.missingValue");
    if (!f.missing_sentinel) r.fail("hashing.missingValue", "\"sentinel\" is required");
    f.missing_replace = r.string(mv, "replaceWith", "hashing.missingValue");
  }
}

Feature read_feature(const json& item, std::size_t index) {
  const std::string position = "features[" + std::to_string(index) + "]";
  if (!item.is_object()) Reader(position).fail(position, "must be an object");
  auto id = item.find("identifier");
  if (id == item.end() || !id->is_string()) {
    Reader(position).fail(position, "needs a string \"identifier\"");
  }
  Feature f;
  f.identifier = id->get<std::string>();
  const Reader r(f.identifier.empty() ? position : f.identifier,
                 "feature '" + f.identifier + "' (" + position + ")");
  if (item.contains("description") && !item["description"].is_string()) {
    r.fail("description", "must be a string");
  }
  f.ignored = r.boolean(item, "ignored", "").value_or(false);
  // The master schema lets extra properties through on a hashed feature, but an ignored one
  // without format and hashing must carry nothing else.
  if (f.ignored) {
    if (!item.contains("format") || !item.contains("hashing")) {
      r.only_keys(item, "", {"identifier", "ignored", "description"});
    }
    return f;
  }
  read_format(r, item, f);
  read_hashing(r, item, f);
  if (f.type != FormatType::string && item["format"].contains("encoding")) {
    r.fail("format", "only a string format has an encoding");
  }
  return f;
}

void read_clk_config(const json& doc, Schema& s) {
  const Reader r("clkConfig");
  const json& config = r.object(doc, "clkConfig", "");
  auto l = r.integer(config, "l", "clkConfig", 1);
  if (!l) r.fail("clkConfig", "\"l\" is required");
  // clkhash 0.18.3 folds by "xor_folds" and ignores the v3 key "xorFolds"; follow it.
  auto folds = r.integer(config, "xor_folds", "clkConfig", 0).value_or(0);
  auto spec_folds = r.integer(config, "xorFolds", "clkConfig", 0);
  if (spec_folds && *spec_folds != folds) {
    s.warnings.push_back("clkConfig.xorFolds is " + std::to_string(*spec_folds) +
                         " but clkhash folds by xor_folds (" + std::to_string(folds) +
                         "); encoding with " + std::to_string(folds) + " folds");
  }
  if (folds > 24 || static_cast<std::uint64_t>(*l) << folds > kMaxHashLength) {
    r.fail("clkConfig", "l * 2^xor_folds is larger than 2^24 bits");
  }
  s.l = static_cast<std::uint32_t>(*l);
  s.xor_folds = static_cast<unsigned>(folds);

  const json& kdf = r.object(config, "kdf", "clkConfig");
  auto type = r.string(kdf, "type", "clkConfig.kdf");
  if (type != "HKDF") r.fail("clkConfig.kdf.type", "must be \"HKDF\"");
  auto hash = r.string(kdf, "hash", "clkConfig.kdf").value_or("SHA256");
  if (hash == "SHA256") {
    s.kdf_hash = KdfHash::sha256;
  } else if (hash == "SHA512") {
    s.kdf_hash = KdfHash::sha512;
  } else {
    r.fail("clkConfig.kdf.hash", "must be SHA256 or SHA512, not \"" + hash + "\"");
  }
  s.kdf_salt = r.base64(kdf, "salt", "clkConfig.kdf");
  s.kdf_info = r.base64(kdf, "info", "clkConfig.kdf");
  s.key_size = static_cast<std::size_t>(
      std::min<std::int64_t>(r.integer(kdf, "keySize", "clkConfig.kdf", 1).value_or(64), 1 << 20));
}

// Limits that clkhash would only hit while encoding; reported here, before any record.
void check_encodable(Schema& s) {
  const std::size_t hash_len = s.kdf_hash == KdfHash::sha256 ? 32 : 64;
  if (2 * s.features.size() * s.key_size > 255 * hash_len) {
    Reader("clkConfig")
        .fail("clkConfig.kdf", "HKDF cannot derive " + std::to_string(2 * s.features.size()) +
                                   " keys of keySize bytes (limit 255 * hash size)");
  }
  const std::uint32_t len = s.hash_length();
  for (const Feature& f : s.features) {
    if (f.ignored || f.hash != HashType::blake_hash) continue;
    const Reader r(f.identifier, "feature '" + f.identifier + "'");
    if ((len & (len - 1)) != 0) {
      r.fail("hashing.hash",
             "blakeHash needs l * 2^xor_folds to be a power of 2, not " + std::to_string(len));
    }
    if (s.key_size > kBlakeMaxKey) r.fail("hashing.hash", "blakeHash needs keySize <= 64");
  }
}

}  // namespace

Schema Schema::parse(std::string_view text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    fail_invalid("schema", "linkage schema: not valid JSON (" + std::string(e.what()) + ")");
  }
  if (!doc.is_object()) fail_invalid("schema", "linkage schema: must be a JSON object");
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_number() || version->get<double>() != 3) {
    fail_invalid("version", "linkage schema: \"version\" must be 3 (clkhash linkage schema v3)");
  }
  Schema s;
  read_clk_config(doc, s);
  auto features = doc.find("features");
  if (features == doc.end() || !features->is_array() || features->empty()) {
    fail_invalid("features", "linkage schema: \"features\" must be a non-empty array");
  }
  for (std::size_t i = 0; i < features->size(); ++i) {
    s.features.push_back(read_feature((*features)[i], i));
  }
  check_encodable(s);
  return s;
}

}  // namespace ctis::clk
