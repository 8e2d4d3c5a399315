#include "api/input.h"

#include <charconv>
#include <map>

namespace ctis::api {

Input::Input(nlohmann::json body, const std::set<std::string>& allowed) : body_(std::move(body)) {
  if (!body_.is_object()) fail_invalid("", "the request body must be a JSON object");
  for (const auto& [key, value] : body_.items()) {
    if (!allowed.count(key)) fail_invalid("/" + key, "unknown field \"" + key + "\"");
  }
}

const nlohmann::json* Input::find(const std::string& name) const {
  auto it = body_.find(name);
  if (it == body_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> Input::opt_text(const std::string& name, std::size_t max) const {
  const auto* v = find(name);
  if (!v) return std::nullopt;
  if (!v->is_string()) fail_invalid("/" + name, name + " must be a string");
  const auto& s = v->get_ref<const std::string&>();
  if (s.size() > max) {
    fail_invalid("/" + name, name + " is longer than " + std::to_string(max) + " bytes");
  }
  return s;
}

std::string Input::text(const std::string& name, std::size_t max) const {
  auto v = opt_text(name, max);
  if (!v) fail_invalid("/" + name, name + " is required");
  return *v;
}

std::optional<bool> Input::opt_bool(const std::string& name) const {
  const auto* v = find(name);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) fail_invalid("/" + name, name + " must be true or false");
  return v->get<bool>();
}

std::optional<std::int64_t> Input::opt_integer(const std::string& name, std::int64_t lo,
                                               std::int64_t hi) const {
  const auto* v = find(name);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) fail_invalid("/" + name, name + " must be a whole number");
  const auto n = v->get<std::int64_t>();
  if (n < lo || n > hi) {
    fail_invalid("/" + name,
                 name + " must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return n;
}

std::vector<std::string> Input::text_list(const std::string& name, std::size_t max_items,
                                          std::size_t max_bytes) const {
  const auto* v = find(name);
  if (!v) fail_invalid("/" + name, name + " is required");
  if (!v->is_array()) fail_invalid("/" + name, name + " must be a list of strings");
  if (v->size() > max_items) {
    fail_invalid("/" + name, name + " has more than " + std::to_string(max_items) + " items");
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    const auto& item = (*v)[i];
    const std::string where = "/" + name + "/" + std::to_string(i);
    if (!item.is_string()) fail_invalid(where, "must be a string");
    if (item.get_ref<const std::string&>().size() > max_bytes) fail_invalid(where, "too long");
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::int64_t path_id(const std::map<std::string, std::string>& params, const std::string& name) {
  auto it = params.find(name);
  std::int64_t id = 0;
  if (it != params.end()) {
    const auto& s = it->second;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec == std::errc() && end == s.data() + s.size() && id > 0) return id;
  }
  fail_invalid(name, name + " must be a positive whole number");
}

}  // namespace ctis::api
