#include "cli/ctdc.h"

#include <algorithm>
#include <map>
#include <memory>

#include "core/core.h"
#include "core/refdata.h"

namespace ctis::cli::ctdc {
namespace {

using nlohmann::json;

enum class Kind { year, coded, country, flag, identifier, ignored };

// CTIS code <-> CTDC coding for one coded variable.
struct Coding {
  std::map<std::string, std::string> to_ctdc;
  std::map<std::string, std::string> from_ctdc;  // CTDC codings and CTIS codes alike
  std::string allowed;                           // "Man, Woman, ..." for messages
};

}  // namespace

struct RowReader::Spec {
  std::string column;  // CSV name
  Kind kind = Kind::ignored;
  std::string key;   // profile key, flag group or person field
  std::string code;  // flags: the CTIS code the flag stands for
  const Coding* coding = nullptr;
};

namespace {

using Spec = RowReader::Spec;

struct Standard {
  std::map<std::string, Coding> codings;  // by profile key; stable addresses
  std::vector<Spec> exported;             // the CTDC columns, in file order
  std::vector<std::string> names;         // their names
  std::vector<Spec> identifiers;
  std::map<std::string, std::string> column_of_key;  // profile key or flag group -> column
};

// The base columns of the mapping file and the profile keys they fill.
struct Base {
  const char* column;
  const char* key;
  Kind kind;
};
constexpr Base kBase[] = {{"yearOfRegistration", "year_of_registration", Kind::year},
                          {"gender", "gender", Kind::coded},
                          {"ageBroad", "age_band", Kind::coded},
                          {"citizenship", "citizenship", Kind::country},
                          {"CountryOfExploitation", "country_of_exploitation", Kind::country},
                          {"traffickMonths", "traffick_months", Kind::coded}};
constexpr const char* kIdentifiers[] = {"given_name", "family_name", "birth_date",
                                        "document_number"};

const Standard& standard() {
  static const std::unique_ptr<const Standard> instance = [] {
    const auto& files = reference_files();
    const auto it = files.find("ctdc/ctdc-2024.json");
    if (it == files.end()) {
      throw Error(ErrorKind::internal, "refdata", "ctdc/ctdc-2024.json is missing from the build");
    }
    // Ordered: the file's order is the column order.
    const auto file = nlohmann::ordered_json::parse(it->second);
    auto made = std::make_unique<Standard>();  // on the heap: specs point into it
    Standard& st = *made;
    for (const auto& name : file.at("columns")) {
      const auto b = std::find_if(std::begin(kBase), std::end(kBase),
                                  [&](const Base& x) { return name == x.column; });
      if (b == std::end(kBase)) {
        throw Error(ErrorKind::internal, "refdata",
                    "ctdc-2024.json: unknown column " + name.get<std::string>());
      }
      Spec spec{b->column, b->kind, b->key, "", nullptr};
      if (b->kind == Kind::coded) {
        Coding& c = st.codings[b->key];
        for (const auto& [code, coding] : file.at(b->key).items()) {
          c.to_ctdc[code] = coding.get<std::string>();
          c.from_ctdc[coding.get<std::string>()] = code;
          c.from_ctdc.emplace(code, code);
          c.allowed += (c.allowed.empty() ? "" : ", ") + coding.get<std::string>();
        }
        spec.coding = &c;
      }
      st.column_of_key[b->key] = b->column;
      st.exported.push_back(spec);
    }
    for (const auto& [group, flags] : file.at("flags").items()) {
      for (const auto& [code, column] : flags.items()) {
        st.exported.push_back({column.get<std::string>(), Kind::flag, group, code, nullptr});
        st.column_of_key.emplace(group, column.get<std::string>());  // the group's first
      }
    }
    for (const auto& s : st.exported) st.names.push_back(s.column);
    for (const char* id : kIdentifiers)
      st.identifiers.push_back({id, Kind::identifier, id, "", nullptr});
    return made;
  }();
  return *instance;
}

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

// The first two segments of a JSON pointer: "/profile/means/0" -> {"profile", "means"}.
std::pair<std::string, std::string> head_of(const std::string& pointer) {
  if (pointer.size() < 2 || pointer[0] != '/') return {};
  const auto second = pointer.find('/', 1);
  if (second == std::string::npos) return {pointer.substr(1), ""};
  const auto third = pointer.find('/', second + 1);
  return {pointer.substr(1, second - 1),
          pointer.substr(second + 1,
                         third == std::string::npos ? std::string::npos : third - second - 1)};
}

// validate()'s messages name CTIS fields; a CSV user knows the columns.
std::string in_column_terms(std::string message, const std::string& pointer,
                            const std::string& column) {
  if (const auto at = message.find(pointer); !pointer.empty() && at != std::string::npos) {
    message.replace(at, pointer.size(), column.empty() ? "the value" : column);
  }
  for (const auto& b : kBase) {
    const std::string key = b.key;
    if (key == b.column) continue;
    for (auto at = message.find(key); at != std::string::npos; at = message.find(key, at)) {
      message.replace(at, key.size(), b.column);
      at += std::string(b.column).size();
    }
  }
  return message;
}

}  // namespace

const std::vector<std::string>& columns() { return standard().names; }

RowReader::RowReader(const std::vector<std::string>& header) : width_(header.size()) {
  const Standard& st = standard();
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string name = trim(header[i]);
    const std::string where = "header, column " + (name.empty() ? std::to_string(i + 1) : name);
    if (!seen.emplace(name, i).second) fail_invalid(where, where + ": the column appears twice");
    const Spec* col = nullptr;
    auto match = [&](const Spec& s) { return s.column == name; };
    if (auto e = std::find_if(st.exported.begin(), st.exported.end(), match);
        e != st.exported.end()) {
      col = &*e;
    } else if (auto d = std::find_if(st.identifiers.begin(), st.identifiers.end(), match);
               d != st.identifiers.end()) {
      col = &*d;
    } else if (name != "error") {
      fail_invalid(where, where +
                              ": not a column of the CTDC 2024 standard, nor given_name, "
                              "family_name, birth_date, document_number or error");
    }
    plan_.push_back(col);
    names_.push_back(name);
  }
}

std::string RowReader::column_of(const std::string& pointer) const {
  const auto [top, key] = head_of(pointer);
  if (top == "person") return key;
  if (top == "profile") {
    const auto& m = standard().column_of_key;
    if (auto it = m.find(key); it != m.end()) return it->second;
  }
  return {};
}

std::optional<cases::Record> RowReader::read(const std::vector<std::string>& row,
                                             std::vector<CellError>& errors) const {
  if (row.size() != width_) {
    errors.push_back(
        {"", std::to_string(row.size()) + " cells where the header has " + std::to_string(width_)});
    return std::nullopt;
  }
  json profile = json::object(), person = json::object();
  const std::size_t before = errors.size();
  for (std::size_t i = 0; i < row.size(); ++i) {
    const Spec* spec = plan_[i];
    if (!spec) continue;
    const std::string cell = trim(row[i]);
    if (cell.empty()) continue;
    if (!valid_utf8(cell)) {
      errors.push_back({spec->column, "not valid UTF-8"});
      continue;
    }
    switch (spec->kind) {
      case Kind::year: {
        const bool digits = cell.size() <= 4 && std::all_of(cell.begin(), cell.end(), [](char c) {
                              return c >= '0' && c <= '9';
                            });
        if (!digits) {
          errors.push_back({spec->column, "\"" + cell + "\" is not a year"});
        } else {
          profile[spec->key] = std::stoi(cell);
        }
        break;
      }
      case Kind::coded: {
        const auto it = spec->coding->from_ctdc.find(cell);
        if (it == spec->coding->from_ctdc.end()) {
          errors.push_back(
              {spec->column, "\"" + cell + "\" is not one of: " + spec->coding->allowed});
        } else {
          profile[spec->key] = it->second;
        }
        break;
      }
      case Kind::country:
        if (cell.size() != 3) {
          errors.push_back(
              {spec->column, "\"" + cell + "\" is not an ISO 3166-1 alpha-3 country code"});
        } else {
          profile[spec->key] = cell;
        }
        break;
      case Kind::flag:
        if (cell == "1") {
          profile[spec->key].push_back(spec->code);
        } else {
          errors.push_back({spec->column, "a flag is 1 or empty, not \"" + cell + "\""});
        }
        break;
      case Kind::identifier:
        person[spec->key] = cell;
        break;
      case Kind::ignored:
        break;
    }
  }
  json input = {{"profile", std::move(profile)}};
  if (!person.empty()) input["person"] = std::move(person);
  // validate() stops at the first bad field: drop each one it names and ask again, so that
  // every bad cell of the row is reported at once.
  for (std::size_t attempt = 0; attempt <= width_; ++attempt) {
    try {
      cases::Record record = cases::validate(input);
      if (errors.size() == before) return record;
      break;
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::invalid) throw;
      const std::string column = column_of(e.field());
      errors.push_back({column, in_column_terms(e.what(), e.field(), column)});
      const auto [top, key] = head_of(e.field());
      if (key.empty() || !input.contains(top) || !input[top].contains(key)) break;
      input[top].erase(key);
    }
  }
  // In the order of the columns.
  auto position = [&](const CellError& e) {
    return e.column.empty()
               ? 0
               : std::find(names_.begin(), names_.end(), e.column) - names_.begin() + 1;
  };
  std::stable_sort(
      errors.begin() + static_cast<std::ptrdiff_t>(before), errors.end(),
      [&](const CellError& a, const CellError& b) { return position(a) < position(b); });
  return std::nullopt;
}

std::vector<std::string> profile_row(const json& profile) {
  const Standard& st = standard();
  std::vector<std::string> row;
  row.reserve(st.exported.size());
  for (const Spec& s : st.exported) {
    const auto it = profile.find(s.key);
    if (it == profile.end() || it->is_null()) {
      row.emplace_back();
      continue;
    }
    switch (s.kind) {
      case Kind::year:
        row.push_back(it->is_number_integer() ? std::to_string(it->get<std::int64_t>()) : "");
        break;
      case Kind::coded: {
        const std::string code = it->get<std::string>();
        const auto c = s.coding->to_ctdc.find(code);
        row.push_back(c == s.coding->to_ctdc.end() ? code : c->second);
        break;
      }
      case Kind::country:
        row.push_back(it->get<std::string>());
        break;
      case Kind::flag: {
        const bool set = it->is_array() && std::find(it->begin(), it->end(), s.code) != it->end();
        row.push_back(set ? "1" : "");
        break;
      }
      default:
        row.emplace_back();
    }
  }
  return row;
}

}  // namespace ctis::cli::ctdc
