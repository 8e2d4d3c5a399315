// The synthetic transaction stream of `ctis finance generate`: ordinary background traffic and
// planted typologies, each labelled with its typology and a group number so that detections
// can be scored. Streamed in 1 MiB blocks, so memory stays flat at any size. The same seed
// gives the same stream on every platform. Everything in it is made up.
#include <algorithm>
#include <cstdio>
#include <ostream>

#include "core/core.h"
#include "core/random.h"
#include "finance/finance.h"

namespace ctis::finance {

namespace {

using Random = ctis::SplitMix64;
constexpr Seconds kDay = kSecondsPerDay;
constexpr Seconds kHour = kSecondsPerHour;

// "YYYY-MM-DD HH:MM:SS" (UTC) of seconds since the epoch (days-to-civil, proleptic Gregorian).
void append_time(std::string& out, Seconds t) {
  const Seconds days = t >= 0 ? t / kDay : (t - kDay + 1) / kDay;
  const Seconds secs = t - days * kDay;
  const Seconds z = days + 719468;
  const Seconds era = (z >= 0 ? z : z - 146096) / 146097;
  const Seconds doe = z - era * 146097;
  const Seconds yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const Seconds doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const Seconds mp = (5 * doy + 2) / 153;
  const Seconds d = doy - (153 * mp + 2) / 5 + 1;
  const Seconds m = mp < 10 ? mp + 3 : mp - 9;
  const Seconds y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[96];  // room for any 64-bit fields, though the values are small
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(secs / kHour), static_cast<long long>(secs % kHour / 60),
                static_cast<long long>(secs % 60));
  out += buf;
}

class StreamWriter {
 public:
  StreamWriter(std::ostream& out, std::uint64_t rows,
               const std::function<void(std::uint64_t)>& progress)
      : out_(out), rows_(rows), progress_(progress) {
    buffer_ = "id,time,from,to,amount,currency,channel,location,mcc,purpose,label,alert_id\n";
  }
  bool full() const { return written_ >= rows_; }
  std::uint64_t written() const { return written_; }

  // One transaction; from or to empty for cash. Rows past the requested count are dropped.
  void row(Seconds time, const std::string& from, const std::string& to, Minor amount,
           const char* channel, const std::string& location, const char* label, std::uint64_t alert,
           int mcc = 0, const char* purpose = "") {
    if (full()) return;
    ++written_;
    buffer_ += 'T';
    buffer_ += std::to_string(written_);
    buffer_ += ',';
    append_time(buffer_, time);
    buffer_ += ',';
    buffer_ += from;
    buffer_ += ',';
    buffer_ += to;
    buffer_ += ',';
    buffer_ += std::to_string(amount / 100);
    buffer_ += '.';
    buffer_ += static_cast<char>('0' + amount % 100 / 10);
    buffer_ += static_cast<char>('0' + amount % 10);
    buffer_ += ",EUR,";
    buffer_ += channel;
    buffer_ += ',';
    buffer_ += location;
    buffer_ += ',';
    if (mcc != 0) buffer_ += std::to_string(mcc);
    buffer_ += ',';
    buffer_ += purpose;
    buffer_ += ',';
    buffer_ += label;
    buffer_ += ',';
    buffer_ += std::to_string(alert);
    buffer_ += '\n';
    if (buffer_.size() >= (std::size_t{1} << 20)) flush();
    if (written_ % 1000000 == 0 && progress_) progress_(written_);
  }
  void flush() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
    if (!out_) fail_unavailable("out", "cannot write the output file");
  }

 private:
  std::ostream& out_;
  std::uint64_t rows_;
  const std::function<void(std::uint64_t)>& progress_;
  std::uint64_t written_ = 0;
  std::string buffer_;
};

std::string account_name(std::uint64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "AC%09llu", static_cast<unsigned long long>(n));
  return buf;
}

std::string branch(Random& r) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "BR-%03llu", static_cast<unsigned long long>(r.below(400)));
  return buf;
}

constexpr const char* kCities[] = {"Lyon", "Paris", "Nice", "Lille", "Nantes", "Marseille"};

}  // namespace

std::map<std::string, std::uint64_t> generate_synthetic(std::ostream& out, std::ostream* accounts,
                                                        const GenerateOptions& o) {
  if (o.rows == 0) fail_invalid("rows", "rows must be at least 1");
  Random r(o.seed);
  const std::uint64_t ordinary = std::max<std::uint64_t>(1000, o.rows / 5);
  std::uint64_t next_account = ordinary;
  std::uint64_t alerts = 0;
  const Seconds origin = days_from_civil(2025, 1, 1) * kDay;
  const Seconds span = 365 * kDay;
  const auto fresh = [&] { return account_name(next_account++); };
  const auto someone = [&] { return account_name(r.below(ordinary)); };
  const auto amount = [&](Minor low, Minor high) {
    return low + static_cast<Minor>(r.below(static_cast<std::uint64_t>(high - low)));
  };
  // Planted kinds 0-4 need only transactions; 5-9 also account attributes.
  static constexpr const char* kKinds[] = {
      "fan_in",      "fan_out",      "cycle",          "scatter_gather", "structuring",
      "ad_payments", "wage_pooling", "shared_contact", "travel_bursts",  "off_hours_deposits"};
  const std::uint64_t kinds = accounts != nullptr ? 10 : 5;
  std::uint64_t planted[10] = {};
  std::string attributes =
      "account,party,party_kind,sector,country,account_kind,open_hour,"
      "close_hour,phone,email,address\n";
  attributes += "ADSITE-1,Classifieds Online,business,online classifieds,,escort_ad_site,,,,,\n";
  StreamWriter w(out, o.rows, o.progress);
  while (!w.full()) {
    const auto now =
        origin + static_cast<Seconds>(static_cast<double>(w.written()) /
                                      static_cast<double>(o.rows) * static_cast<double>(span));
    const std::uint64_t kind = r.below(1000);
    if (kind >= kinds || now > origin + span - 10 * kDay) {
      // Ordinary business happens in the daytime (08:00-21:00), so night activity stands out.
      const Seconds day_time =
          now - now % kDay + 8 * kHour + static_cast<Seconds>(r.below(13 * kHour));
      if (r.below(20) == 0) {
        w.row(day_time, "", someone(), amount(2000, 200000), "CASH", branch(r), "normal", 0);
      } else {
        static const char* const kChannels[] = {"WIRE", "ACH", "CARD"};
        std::string from = someone(), to = someone();
        while (to == from) to = someone();
        w.row(day_time, from, to, amount(1000, 500000), kChannels[r.below(3)], "", "normal", 0);
      }
      continue;
    }
    ++planted[kind];
    const std::uint64_t id = ++alerts;
    const char* label = kKinds[kind];
    switch (kind) {
      case 0: {  // fan-in: 8 payers into one account within a day
        const std::string hub = fresh();
        for (Seconds i = 1; i <= 8; ++i) {
          w.row(now + i * kHour, someone(), hub, amount(80000, 300000), "WIRE", "", label, id);
        }
        break;
      }
      case 1: {  // fan-out: one account pays 8 within a day
        const std::string hub = fresh();
        for (Seconds i = 1; i <= 8; ++i) {
          w.row(now + i * kHour, hub, someone(), amount(80000, 300000), "WIRE", "", label, id);
        }
        break;
      }
      case 2: {  // cycle of 4, one day apart, a fee taken at each step
        std::string ring[4] = {fresh(), fresh(), fresh(), fresh()};
        Minor value = amount(2000000, 5000000);
        for (Seconds i = 0; i < 4; ++i) {
          w.row(now + i * kDay, ring[i], ring[(i + 1) % 4], value, "WIRE", "", label, id);
          value -= value / 50;
        }
        break;
      }
      case 3: {  // scatter-gather: a source pays 4 intermediates who pay one sink
        const std::string source = fresh(), sink = fresh();
        for (Seconds i = 1; i <= 4; ++i) {
          const std::string mid = fresh();
          const Minor value = amount(300000, 900000);
          w.row(now, source, mid, value, "WIRE", "", label, id);
          w.row(now + i * kHour * 6, mid, sink, value - value / 100, "WIRE", "", label, id);
        }
        break;
      }
      case 4: {  // structuring: 4 cash deposits just under 10,000.00 within 3 days
        const std::string holder = fresh();
        for (Seconds i = 0; i < 4; ++i) {
          w.row(now + i * 18 * kHour, "", holder, amount(910000, 999000), "CASH", branch(r), label,
                id);
        }
        break;
      }
      case 5: {  // ad payments: 6 small fixed-multiple card payments to the ad site in 10 days
        const std::string payer = fresh();
        for (Seconds i = 0; i < 6; ++i) {
          w.row(now + i * 40 * kHour, payer, "ADSITE-1", 2500 * static_cast<Minor>(1 + r.below(6)),
                "CARD", "", label, id, 7273);
        }
        break;
      }
      case 6: {  // wage pooling: 3 workers' wages into one account, moved on the next day
        const std::string pool = fresh(), boss = fresh();
        Minor total = 0;
        for (Seconds i = 0; i < 3; ++i) {
          const Minor wage = amount(120000, 180000);
          total += wage;
          w.row(now + i * kHour, someone(), pool, wage, "ACH", "", label, id, 0, "salary");
        }
        w.row(now + kDay, pool, boss, total - total / 20, "WIRE", "", label, id);
        break;
      }
      case 7: {  // shared contact: 4 senders with one phone pay one beneficiary
        const std::string beneficiary = fresh();
        const std::string phone = "+33 6 " + std::to_string(10000000 + r.below(89999999));
        for (Seconds i = 0; i < 4; ++i) {
          const std::string sender = fresh();
          attributes += sender + ",Sender " + sender + ",person,,,,,," + phone + ",,\n";
          w.row(now + i * kDay, sender, beneficiary, amount(20000, 60000), "WIRE", "", label, id);
        }
        break;
      }
      case 8: {  // travel: hotel and ride charges in 3 cities within 4 days
        const std::string traveller = fresh();
        const std::uint64_t first_city = r.below(6);
        for (Seconds i = 0; i < 6; ++i) {
          w.row(now + i * 16 * kHour, traveller, i % 2 == 0 ? "HOTELS-1" : "RIDES-1",
                amount(3000, 15000), "CARD",
                kCities[(first_city + static_cast<std::uint64_t>(i / 2)) % 6], label, id,
                i % 2 == 0 ? 7011 : 4121);
        }
        break;
      }
      default: {  // off-hours: a salon open 9-18 takes cash deposits around midnight
        const std::string salon = fresh();
        attributes += salon + ",Salon " + salon + ",business,nail salon,,,9,18,,,\n";
        for (Seconds i = 0; i < 5; ++i) {
          w.row(now - now % kDay + i * kDay + 23 * kHour, "", salon, amount(30000, 90000), "CASH",
                branch(r), label, id);
        }
        break;
      }
    }
  }
  w.flush();
  if (accounts != nullptr) {
    *accounts << attributes;
    if (!*accounts) fail_unavailable("accounts", "cannot write the accounts file");
  }
  std::map<std::string, std::uint64_t> counts;
  for (std::uint64_t k = 0; k < kinds; ++k) counts[kKinds[k]] = planted[k];
  return counts;
}

}  // namespace ctis::finance
