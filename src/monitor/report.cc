// Series for people who work outside the browser: a CSV of the monitored months and an SVG
// chart per corridor (count, expected count, upper bound, alarms marked).
#include <algorithm>
#include <cstdio>

#include "core/markup.h"
#include "monitor/monitor.h"

namespace ctis::monitor {
namespace {

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

std::string series_csv_header() {
  return "corridor,nationality,method,period,count,censored,expected,upper_bound,alarm,"
         "coverage_reporting,coverage_known,lag_days\n";
}

std::string series_csv_rows(const SeriesView& view) {
  std::string out;
  for (const auto& p : view.points) {
    out += view.corridor + "," + view.nationality + "," + view.method + "," + p.period + "," +
           std::to_string(p.count) + "," + (p.censored ? "1" : "0") + "," +
           (p.expected ? fixed(*p.expected) : "") + "," +
           (p.upper_bound ? fixed(*p.upper_bound) : "") + "," + (p.alarm ? "1" : "0") + "," +
           std::to_string(p.coverage.reporting) + "," + std::to_string(p.coverage.known) + "," +
           std::to_string(p.lag_days) + "\n";
  }
  return out;
}

std::string series_svg(const SeriesView& view, const std::string& title, std::size_t last) {
  const std::size_t n = view.points.size();
  const std::size_t first = n > last ? n - last : 0;
  const double width = 800, height = 320, left = 60, right = 20, top = 40, bottom = 40;
  double top_value = 1;
  for (std::size_t i = first; i < n; ++i) {
    const auto& p = view.points[i];
    top_value = std::max(top_value, static_cast<double>(p.count));
    if (p.upper_bound) top_value = std::max(top_value, *p.upper_bound);
  }
  top_value *= 1.1;
  const std::size_t shown = n - first;
  const auto x = [&](std::size_t i) {
    const double step = shown > 1 ? (width - left - right) / static_cast<double>(shown - 1) : 0;
    return left + step * static_cast<double>(i - first);
  };
  const auto y = [&](double v) { return top + (height - top - bottom) * (1 - v / top_value); };
  std::string svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"320\" "
      "viewBox=\"0 0 800 320\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<title>" + escape_markup(title) + "</title>\n";
  svg += "<text x=\"60\" y=\"22\" font-size=\"15\">" + escape_markup(title) + "</text>\n";
  svg += "<line x1=\"60\" y1=\"" + fixed(y(0)) + "\" x2=\"780\" y2=\"" + fixed(y(0)) +
         "\" stroke=\"#888\"/>\n";
  svg += "<text x=\"55\" y=\"" + fixed(y(top_value / 1.1)) + "\" text-anchor=\"end\">" +
         std::to_string(static_cast<long long>(top_value / 1.1)) + "</text>\n";
  svg += "<text x=\"55\" y=\"" + fixed(y(0)) + "\" text-anchor=\"end\">0</text>\n";
  const auto line = [&](const char* cls, const char* style, auto value) {
    std::string points;
    for (std::size_t i = first; i < n; ++i) {
      const auto v = value(view.points[i]);
      if (!v) continue;
      points += fixed(x(i)) + "," + fixed(y(*v)) + " ";
    }
    if (points.empty()) return;
    svg += std::string("<polyline class=\"") + cls + "\" fill=\"none\" " + style + " points=\"" +
           points + "\"/>\n";
  };
  line("count", "stroke=\"#1f4e79\" stroke-width=\"2\"",
       [](const SeriesPoint& p) { return std::optional<double>(static_cast<double>(p.count)); });
  line("expected", "stroke=\"#6a6a6a\" stroke-dasharray=\"4 3\"",
       [](const SeriesPoint& p) { return p.expected; });
  line("upper_bound", "stroke=\"#c77c02\"", [](const SeriesPoint& p) { return p.upper_bound; });
  for (std::size_t i = first; i < n; ++i) {
    const auto& p = view.points[i];
    if (!p.alarm) continue;
    svg += "<circle class=\"alarm\" cx=\"" + fixed(x(i)) + "\" cy=\"" +
           fixed(y(static_cast<double>(p.count))) + "\" r=\"5\" fill=\"#c00000\"><title>" +
           p.period + ": " + std::to_string(p.count) + "</title></circle>\n";
  }
  if (shown > 0) {
    svg += "<text x=\"60\" y=\"305\">" + view.points[first].period + "</text>\n";
    svg +=
        "<text x=\"780\" y=\"305\" text-anchor=\"end\">" + view.points[n - 1].period + "</text>\n";
  }
  svg +=
      "<text x=\"400\" y=\"305\" text-anchor=\"middle\" fill=\"#555\">count (blue), expected "
      "(dashed), upper bound (orange), alarms (red)</text>\n</svg>\n";
  return svg;
}

}  // namespace ctis::monitor
