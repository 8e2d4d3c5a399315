// The parameters behind a hit: what an analyst reads beside its explanation ("which rule, which
// threshold"). Amounts stay in minor units and windows in hours, as the typology file has them.
#include "fiu/fiu.h"

namespace ctis::fiu {

namespace fin = ctis::finance;
using nlohmann::json;

namespace {

json hours(fin::Seconds s) { return s / fin::kSecondsPerHour; }

json channels(const std::vector<fin::Channel>& list) {
  json out = json::array();
  for (const auto c : list) out.push_back(std::string(fin::to_string(c)));
  return out;
}

json selector(const fin::Selector& s) {
  json mccs = json::array();
  for (const auto& [lo, hi] : s.mccs.ranges) {
    mccs.push_back(lo == hi ? json(lo) : json::array({lo, hi}));
  }
  return {{"mccs", mccs},
          {"counterparty_kinds", s.counterparty_kinds},
          {"channels", channels(s.channels)}};
}

}  // namespace

json rule_parameters(fin::Pattern p, const fin::TypologyParams& t) {
  json params;
  const fin::FanParams fan;
  const fin::FlowParams flow;
  const fin::BlockParams block;
  const fin::CycleParams cycle;
  switch (p) {
    case fin::Pattern::fan_in:
    case fin::Pattern::fan_out:
      params = {{"min_counterparties", fan.min_counterparties},
                {"window_hours", hours(fan.window)},
                {"min_amount_minor", fan.min_amount}};
      break;
    case fin::Pattern::scatter_gather:
      params = {{"min_intermediates", flow.min_intermediates},
                {"window_hours", hours(flow.window)}};
      break;
    case fin::Pattern::gather_scatter:
      params = {{"min_sources", flow.min_sources},
                {"min_targets", flow.min_targets},
                {"window_hours", hours(flow.window)}};
      break;
    case fin::Pattern::bipartite:
    case fin::Pattern::stack:
      params = {{"min_senders", block.min_senders},
                {"min_receivers", block.min_receivers},
                {"window_hours", hours(block.window)}};
      if (p == fin::Pattern::stack) {
        params["min_layers"] = block.min_layers;
        params["max_layers"] = block.max_layers;
      }
      break;
    case fin::Pattern::cycle:
      params = {{"max_length", cycle.max_length}, {"window_hours", hours(cycle.window)}};
      break;
    case fin::Pattern::structuring:
      params = {{"threshold_minor", t.structuring.threshold},
                {"margin_percent", t.structuring.margin_percent},
                {"min_count", t.structuring.min_count},
                {"window_hours", hours(t.structuring.window)},
                {"channels", channels(t.structuring.channels)}};
      break;
    case fin::Pattern::funnel:
      params = {{"min_locations", t.funnel.min_locations},
                {"min_deposits", t.funnel.min_deposits},
                {"window_hours", hours(t.funnel.window)},
                {"outflow_within_hours", hours(t.funnel.outflow_within)},
                {"outflow_share_percent", t.funnel.outflow_share_percent}};
      break;
    case fin::Pattern::rapid_in_out:
      params = {{"min_amount_minor", t.rapid_in_out.min_amount},
                {"within_hours", hours(t.rapid_in_out.within)},
                {"outflow_share_percent", t.rapid_in_out.outflow_share_percent},
                {"min_events", t.rapid_in_out.min_events}};
      break;
    case fin::Pattern::night_activity:
      params = {{"start_hour", t.night.start_hour},
                {"end_hour", t.night.end_hour},
                {"min_count", t.night.min_count},
                {"min_share_percent", t.night.min_share_percent}};
      break;
    case fin::Pattern::ad_payments:
      params = {{"targets", selector(t.ad_payments.targets)},
                {"max_amount_minor", t.ad_payments.max_amount},
                {"min_count", t.ad_payments.min_count},
                {"window_hours", hours(t.ad_payments.window)}};
      break;
    case fin::Pattern::travel_bursts:
      params = {{"targets", selector(t.travel.targets)},
                {"min_cities", t.travel.min_cities},
                {"min_count", t.travel.min_count},
                {"window_hours", hours(t.travel.window)}};
      break;
    case fin::Pattern::off_hours_deposits:
      params = {{"channels", channels(t.off_hours.channels)},
                {"min_count", t.off_hours.min_count},
                {"min_share_percent", t.off_hours.min_share_percent}};
      break;
    case fin::Pattern::cash_no_payroll:
    case fin::Pattern::no_payroll:
      params = {{"payroll_purposes", t.payroll.payroll_purposes},
                {"min_cash_deposits", t.payroll.min_cash_deposits},
                {"min_cash_total_minor", t.payroll.min_cash_total},
                {"min_cash_weeks", t.payroll.min_cash_weeks},
                {"min_receipts", t.payroll.min_receipts},
                {"min_revenue_minor", t.payroll.min_revenue}};
      break;
    case fin::Pattern::wage_pooling:
      params = {{"wage_purposes", t.wage_pooling.wage_purposes},
                {"min_wages", t.wage_pooling.min_wages},
                {"window_hours", hours(t.wage_pooling.window)},
                {"outflow_within_hours", hours(t.wage_pooling.outflow_within)},
                {"outflow_share_percent", t.wage_pooling.outflow_share_percent}};
      break;
    case fin::Pattern::shared_contact:
      params = {{"min_senders", t.shared_contact.min_senders}};
      break;
    case fin::Pattern::opaque_channels:
      params = {{"targets", selector(t.opaque.targets)},
                {"min_count", t.opaque.min_count},
                {"min_total_minor", t.opaque.min_total},
                {"window_hours", hours(t.opaque.window)}};
      break;
    case fin::Pattern::high_risk_corridor: {
      json pairs = json::array();
      for (const auto& [from, to] : t.corridors.pairs) pairs.push_back({from, to});
      params = {{"pairs", pairs},
                {"min_count", t.corridors.min_count},
                {"min_total_minor", t.corridors.min_total}};
      break;
    }
  }
  const auto index = static_cast<std::size_t>(p);
  return {{"pattern", std::string(fin::to_string(p))},
          {"typology", fin::is_typology(p)},
          {"typologies_version", fin::is_typology(p) ? json(t.version) : json(nullptr)},
          {"risk_points", t.risk.weights[index]},
          {"parameters", params}};
}

}  // namespace ctis::fiu
