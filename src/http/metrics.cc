// Prometheus metrics. observe() is on every request's path, so it takes only a shared lock to
// find the route's entry and then updates atomics; the exclusive lock is taken once per route.
#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "http/http.h"

namespace ctis::http {
namespace {

constexpr std::array<double, 12> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                            0.05,   0.1,   0.25,   0.5,   1,    2.5};
constexpr std::array<std::string_view, 12> kBoundLabels = {"0.0005", "0.001", "0.0025", "0.005",
                                                           "0.01",   "0.025", "0.05",   "0.1",
                                                           "0.25",   "0.5",   "1",      "2.5"};
constexpr int kMinStatus = 100;
constexpr int kMaxStatus = 599;

struct RouteStats {
  // Indexed by status - 100; a fixed array keeps observe() free of locks and allocation.
  std::array<std::atomic<std::uint64_t>, kMaxStatus - kMinStatus + 1> by_status{};
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets{};  // last: above 2.5 s
  std::atomic<double> sum{0};
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

void append_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
}

void append_number(std::string& out, double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc{} ? end : buf);
}

void append_number(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc{} ? end : buf);
}

// HELP text: backslash and newline escaped, as the format requires.
void append_help(std::string& out, std::string_view text) {
  for (char c : text) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
}

}  // namespace

struct Metrics::Impl {
  mutable std::shared_mutex routes_mu;
  std::unordered_map<std::string, std::unique_ptr<RouteStats>, StringHash, std::equal_to<>> routes;

  struct Gauge {
    std::string help;
    double value = 0;
  };
  mutable std::mutex gauges_mu;
  std::map<std::string, Gauge, std::less<>> gauges;  // ordered, so families render together

  RouteStats& stats(std::string_view route) {
    {
      std::shared_lock lock(routes_mu);
      if (auto it = routes.find(route); it != routes.end()) return *it->second;
    }
    std::unique_lock lock(routes_mu);
    auto [it, inserted] = routes.try_emplace(std::string(route));
    if (inserted) it->second = std::make_unique<RouteStats>();
    return *it->second;
  }
};

std::shared_ptr<Metrics::Impl> Metrics::make_impl() { return std::make_shared<Impl>(); }

void Metrics::observe(std::string_view route, int status, double seconds) {
  RouteStats& s = impl_->stats(route);
  int index = std::clamp(status, kMinStatus, kMaxStatus) - kMinStatus;
  s.by_status[static_cast<std::size_t>(index)].fetch_add(1, std::memory_order_relaxed);
  std::size_t bucket = 0;
  while (bucket < kBounds.size() && seconds > kBounds[bucket]) ++bucket;
  s.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  s.sum.fetch_add(seconds, std::memory_order_relaxed);
}

void Metrics::set_gauge(std::string_view name, std::string_view help, double value) {
  std::lock_guard lock(impl_->gauges_mu);
  auto it = impl_->gauges.find(name);
  if (it == impl_->gauges.end()) it = impl_->gauges.emplace(std::string(name), Impl::Gauge{}).first;
  it->second.help.assign(help);
  it->second.value = value;
}

std::string Metrics::render() const {
  std::string out;
  out.reserve(4096);
  // Snapshot the route list (sorted for stable output); the entries themselves live forever.
  std::vector<std::pair<std::string_view, const RouteStats*>> routes;
  {
    std::shared_lock lock(impl_->routes_mu);
    routes.reserve(impl_->routes.size());
    for (const auto& [name, stats] : impl_->routes) routes.emplace_back(name, stats.get());
  }
  std::sort(routes.begin(), routes.end());

  out.append("# HELP ctis_http_requests_total HTTP requests by route and status.\n");
  out.append("# TYPE ctis_http_requests_total counter\n");
  for (const auto& [route, s] : routes) {
    for (std::size_t i = 0; i < s->by_status.size(); ++i) {
      std::uint64_t n = s->by_status[i].load(std::memory_order_relaxed);
      if (n == 0) continue;
      out.append("ctis_http_requests_total{route=\"");
      append_escaped(out, route);
      out.append("\",status=\"");
      append_number(out, static_cast<std::uint64_t>(i + kMinStatus));
      out.append("\"} ");
      append_number(out, n);
      out.push_back('\n');
    }
  }

  out.append("# HELP ctis_http_request_duration_seconds HTTP request latency by route.\n");
  out.append("# TYPE ctis_http_request_duration_seconds histogram\n");
  for (const auto& [route, s] : routes) {
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kBounds.size(); ++b) {
      cumulative += s->buckets[b].load(std::memory_order_relaxed);
      out.append("ctis_http_request_duration_seconds_bucket{route=\"");
      append_escaped(out, route);
      out.append("\",le=\"");
      out.append(b < kBounds.size() ? kBoundLabels[b] : "+Inf");
      out.append("\"} ");
      append_number(out, cumulative);
      out.push_back('\n');
    }
    out.append("ctis_http_request_duration_seconds_sum{route=\"");
    append_escaped(out, route);
    out.append("\"} ");
    append_number(out, s->sum.load(std::memory_order_relaxed));
    out.append("\nctis_http_request_duration_seconds_count{route=\"");
    append_escaped(out, route);
    out.append("\"} ");
    append_number(out, cumulative);  // equal to the +Inf bucket, even mid-update
    out.push_back('\n');
  }

  // A gauge name may carry labels ("x{state=\"open\"}"): group by family so HELP and TYPE
  // appear once per family, as the format requires.
  std::lock_guard lock(impl_->gauges_mu);
  std::vector<std::pair<std::string_view, const Impl::Gauge*>> gauges;
  for (const auto& [name, gauge] : impl_->gauges) gauges.emplace_back(name, &gauge);
  auto family_of = [](std::string_view name) { return name.substr(0, name.find('{')); };
  std::stable_sort(gauges.begin(), gauges.end(), [&](const auto& a, const auto& b) {
    return family_of(a.first) < family_of(b.first);
  });
  std::string_view family;
  for (const auto& [name, gauge] : gauges) {
    std::string_view base = family_of(name);
    if (base != family) {
      family = base;
      out.append("# HELP ").append(base).push_back(' ');
      append_help(out, gauge->help);
      out.append("\n# TYPE ").append(base).append(" gauge\n");
    }
    out.append(name).push_back(' ');
    append_number(out, gauge->value);
    out.push_back('\n');
  }
  return out;
}

}  // namespace ctis::http
