// Counts per key and period, with coverage and lag, and zero-filled series.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "core/core.h"
#include "routes/routes.h"

namespace ctis::routes {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

year_month_day to_ymd(Day day) { return year_month_day{sys_days{days{day}}}; }
Day to_day(year_month_day ymd) {
  return static_cast<Day>(sys_days{ymd}.time_since_epoch().count());
}

// 1970-01-01 was a Thursday; weeks start on Monday (ISO 8601).
Day week_start(Day day) { return day - ((day % 7 + 7 + 3) % 7); }

Day period_start(Day day, Period period) {
  const auto ymd = to_ymd(day);
  switch (period) {
    case Period::week:
      return week_start(day);
    case Period::month:
      return to_day(ymd.year() / ymd.month() / 1);
    case Period::quarter: {
      const unsigned m = (static_cast<unsigned>(ymd.month()) - 1) / 3 * 3 + 1;
      return to_day(ymd.year() / std::chrono::month{m} / 1);
    }
  }
  return day;
}

Day next_period(Day start, Period period) {
  if (period == Period::week) return start + 7;
  const auto ymd = to_ymd(start);
  return to_day(ymd + std::chrono::months{period == Period::month ? 1 : 3});
}

const char* group_name(GroupBy by) {
  switch (by) {
    case GroupBy::total:
      return "total";
    case GroupBy::corridor:
      return "corridor";
    case GroupBy::route:
      return "route";
    case GroupBy::nationality:
      return "nationality";
    case GroupBy::leg:
      return "leg";
    case GroupBy::point:
      return "point";
  }
  return "?";
}

[[noreturn]] void unsupported(GroupBy by, std::string_view table) {
  fail_invalid("/by", std::string(table) + " cannot be grouped by " + group_name(by));
}

const Corridor* filter_corridor(const Query& query) {
  if (query.corridor.empty()) return nullptr;
  if (const auto* c = find_corridor(query.corridor)) return c;
  fail_invalid("/corridor", "unknown corridor \"" + query.corridor + "\"");
}

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

class Aggregator {
 public:
  explicit Aggregator(Period period) : period_(period) {}

  // The source sent data for this period (whatever the key): coverage counts it as reporting.
  // Rows come in runs of one source and day, so the last answers are remembered.
  void saw(Day day, std::string_view source, Day covered_until) {
    const auto s = intern(sources_, source, last_source_);
    const Day start = start_of(day);
    if (s != last_saw_.first || start != last_saw_.second) {
      reporting_[start].insert(s);
      last_saw_ = {s, start};
    }
    latest_ = std::max(latest_, covered_until);
  }
  void add(std::string_view key, Day day, std::string_view source, const Count& count) {
    const auto k = intern(keys_, key, last_key_);
    const auto s = intern(sources_, source, last_source_);
    const std::pair<std::uint32_t, Day> where{k, start_of(day)};
    if (!last_cell_ || last_cell_where_ != where) {
      last_cell_ = &cells_[where];
      last_cell_where_ = where;
    }
    last_cell_->value += count.value;
    last_cell_->censored = last_cell_->censored || count.censored;
    if (last_known_ != std::pair{k, s}) {
      known_[k].insert(s);
      last_known_ = {k, s};
    }
  }

  std::vector<Figure> result() const {
    std::vector<std::string> key_names(keys_.size());
    for (const auto& [name, id] : keys_) key_names[id] = name;
    std::vector<Figure> out;
    out.reserve(cells_.size());
    for (const auto& [where, cell] : cells_) {
      Figure f;
      f.key = key_names[where.first];
      f.period_start = where.second;
      f.period = period_label(where.second, period_);
      f.value = cell.value;
      f.censored = cell.censored;
      const auto& known = known_.at(where.first);
      f.coverage.known = known.size();
      const auto it = reporting_.find(where.second);
      if (it != reporting_.end())
        for (const auto s : known) f.coverage.reporting += it->second.count(s);
      const Day period_end = next_period(where.second, period_) - 1;
      f.lag_days = latest_ - period_end;
      out.push_back(std::move(f));
    }
    std::sort(out.begin(), out.end(), [](const Figure& a, const Figure& b) {
      return a.key != b.key ? a.key < b.key : a.period_start < b.period_start;
    });
    return out;
  }

 private:
  struct Cell {
    std::int64_t value = 0;
    bool censored = false;
  };
  using Names = std::map<std::string, std::uint32_t, std::less<>>;
  static std::uint32_t intern(Names& table, std::string_view name, Names::const_iterator& last) {
    if (last != table.end() && last->first == name) return last->second;
    auto it = table.find(name);
    if (it == table.end())
      it = table.emplace(std::string(name), static_cast<std::uint32_t>(table.size())).first;
    last = it;
    return it->second;
  }
  Day start_of(Day day) {
    if (day != last_day_) {
      last_day_ = day;
      last_start_ = period_start(day, period_);
    }
    return last_start_;
  }

  Period period_;
  Day latest_ = std::numeric_limits<Day>::min();
  Names keys_, sources_;
  Names::const_iterator last_key_ = keys_.end(), last_source_ = sources_.end();
  Day last_day_ = std::numeric_limits<Day>::min(), last_start_ = 0;
  std::pair<std::uint32_t, Day> last_saw_{UINT32_MAX, 0}, last_cell_where_{};
  std::pair<std::uint32_t, std::uint32_t> last_known_{UINT32_MAX, UINT32_MAX};
  std::map<std::pair<std::uint32_t, Day>, Cell> cells_;
  Cell* last_cell_ = nullptr;
  std::unordered_map<std::uint32_t, std::set<std::uint32_t>> known_;
  std::map<Day, std::set<std::uint32_t>> reporting_;
};

}  // namespace

std::string period_label(Day day, Period period) {
  const Day start = period_start(day, period);
  const auto ymd = to_ymd(start);
  const int y = static_cast<int>(ymd.year());
  const unsigned m = static_cast<unsigned>(ymd.month());
  char buf[16];
  int n = 0;
  if (period == Period::month) {
    n = std::snprintf(buf, sizeof buf, "%04d-%02u", y, m);
  } else if (period == Period::quarter) {
    n = std::snprintf(buf, sizeof buf, "%04d-Q%u", y, (m - 1) / 3 + 1);
  } else {
    // The ISO week-year is the year of the week's Thursday.
    const Day thursday = start + 3;
    const auto t = to_ymd(thursday);
    const Day jan1 = to_day(t.year() / 1 / 1);
    n = std::snprintf(buf, sizeof buf, "%04d-W%02d", static_cast<int>(t.year()),
                      (thursday - jan1) / 7 + 1);
  }
  return {buf, static_cast<std::size_t>(n)};
}

std::vector<Figure> aggregate(const Detections& table, const Query& query) {
  if (query.by == GroupBy::leg || query.by == GroupBy::point) unsupported(query.by, "Frontex data");
  const Corridor* only = filter_corridor(query);
  Aggregator agg(query.period);
  for (const auto& d : table.rows) {
    const Day month_end = next_period(d.month, Period::month) - 1;
    agg.saw(d.month, d.route, month_end);
    if (only && !contains(only->frontex_routes, d.route)) continue;
    switch (query.by) {
      case GroupBy::total:
        agg.add("total", d.month, d.route, d.detections);
        break;
      case GroupBy::route:
        agg.add(d.route, d.month, d.route, d.detections);
        break;
      case GroupBy::nationality:
        agg.add(d.nationality, d.month, d.route, d.detections);
        break;
      case GroupBy::corridor:
        for (const auto& c : corridors())
          if (contains(c.frontex_routes, d.route)) agg.add(c.id, d.month, d.route, d.detections);
        break;
      default:
        break;
    }
  }
  return agg.result();
}

std::vector<Figure> aggregate(const Incidents& table, const Query& query) {
  if (query.by == GroupBy::leg || query.by == GroupBy::point)
    unsupported(query.by, "Missing Migrants data");
  const Corridor* only = filter_corridor(query);
  const auto in_corridor = [](const Corridor& c, const Incident& x) {
    return std::any_of(x.routes.begin(), x.routes.end(),
                       [&](const std::string& r) { return contains(c.mmp_routes, r); });
  };
  const std::string_view source = "mmp";
  Aggregator agg(query.period);
  for (const auto& x : table.rows) {
    agg.saw(x.date, source, x.date);
    if (only && !in_corridor(*only, x)) continue;
    const Count count{x.dead_and_missing(),
                      (x.dead && x.dead->censored) || (x.missing && x.missing->censored)};
    switch (query.by) {
      case GroupBy::total:
        agg.add("total", x.date, source, count);
        break;
      case GroupBy::route:
        for (const auto& r : x.routes) agg.add(r, x.date, source, count);
        if (x.routes.empty()) agg.add("unknown", x.date, source, count);
        break;
      case GroupBy::nationality:
        for (const auto& o : x.origin_countries) agg.add(o, x.date, source, count);
        if (x.origin_countries.empty()) agg.add("unknown", x.date, source, count);
        break;
      case GroupBy::corridor:
        for (const auto& c : corridors())
          if (in_corridor(c, x)) agg.add(c.id, x.date, source, count);
        break;
      default:
        break;
    }
  }
  return agg.result();
}

std::vector<Figure> aggregate(const Flows& table, const Query& query) {
  if (query.by == GroupBy::nationality) unsupported(query.by, "DTM flow data");
  const Corridor* only = filter_corridor(query);
  const auto in_corridor = [&](const Corridor& c, const Flow& f) {
    return contains(c.dtm_routes, table.label(f.route)) ||
           c.has_leg(table.label(f.from), table.label(f.to));
  };
  Aggregator agg(query.period);
  std::string leg;
  for (const auto& f : table.rows) {
    const std::string& point = table.label(f.point);
    agg.saw(f.date, point, f.date);
    if (only && !in_corridor(*only, f)) continue;
    switch (query.by) {
      case GroupBy::total:
        agg.add("total", f.date, point, f.persons);
        break;
      case GroupBy::route:
        agg.add(table.label(f.route), f.date, point, f.persons);
        break;
      case GroupBy::point:
        agg.add(point, f.date, point, f.persons);
        break;
      case GroupBy::leg:
        leg = table.label(f.from) + ">" + table.label(f.to);
        agg.add(leg, f.date, point, f.persons);
        break;
      case GroupBy::corridor:
        for (const auto& c : corridors())
          if (in_corridor(c, f)) agg.add(c.id, f.date, point, f.persons);
        break;
      default:
        break;
    }
  }
  return agg.result();
}

std::vector<Series> corridor_series(const std::vector<Figure>& figures, Period period) {
  std::map<std::string, std::map<Day, std::int64_t>> by_key;
  for (const auto& f : figures) by_key[f.key][period_start(f.period_start, period)] += f.value;
  std::vector<Series> out;
  for (const auto& [key, cells] : by_key) {
    Series s;
    s.key = key;
    s.period = period;
    const Day last = cells.rbegin()->first;
    for (Day d = cells.begin()->first; d <= last; d = next_period(d, period)) {
      s.periods.push_back(period_label(d, period));
      const auto it = cells.find(d);
      s.counts.push_back(it == cells.end() ? 0 : it->second);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace ctis::routes
