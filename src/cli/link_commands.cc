// `ctis link encode|match|upload|results|dedup`: record linkage, privately with partners and
// plainly within one agency.
//
// encode turns a CSV of identifying records into CLKs (clkhash's `rec_id,clk_base64` form)
// under a linkage schema and a secret shared with the partners; the secret is read from a file
// only its owner can read, and never printed. match pairs two CLK files one to one (greedy, by
// Dice similarity) and writes only the pairs of ids: similarity scores stay with the analyst
// who asks for them (--with-scores), they are not for the partners. upload and results talk to
// a CTIS linkage exchange with an API token read from a private file: a party sends its CLK file
// and later fetches its own matched ids. dedup finds duplicates within one CSV (Fellegi–Sunter).
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "clk/clk.h"
#include "core/core.h"
#include "dedup/dedup.h"
#include "exchange/exchange.h"
#include "linkage/linkage.h"

namespace ctis::cli {
namespace {

using Clock = std::chrono::steady_clock;

// A secret (the shared linkage secret, an API token): the file must be private (as the data key
// file is), one line, the trailing line end stripped.
std::string read_private_line(const std::string& path, const std::string& flag,
                              const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    fail_invalid(flag, what + " " + path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    throw Error(
        ErrorKind::unavailable, flag.substr(2) == "secret-file" ? "secret_file" : "token_file",
        what + " " + path + ": permissions are too open (must be 0600: chmod 600 " + path + ")",
        flag);
  }
  std::string secret = read_text_file(path, flag);
  if (!secret.empty() && secret.back() == '\n') secret.pop_back();
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.empty()) fail_invalid(flag, what + " " + path + " is empty");
  return secret;
}

std::string read_secret(const std::string& path) {
  return read_private_line(path, "--secret-file", "secret file");
}

// Prints the number of records encoded so far, once a second, until stopped.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(const clk::Progress& progress)
      : progress_(progress), thread_([this] { loop(); }) {}
  ~ProgressPrinter() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  ProgressPrinter(const ProgressPrinter&) = delete;
  ProgressPrinter& operator=(const ProgressPrinter&) = delete;

 private:
  void loop() {
    const auto start = Clock::now();
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
      const auto n = progress_.records.load();
      std::cerr << "ctis: encoded " << n << " records ("
                << static_cast<long long>(static_cast<double>(n) / seconds_since(start))
                << " records/s)" << std::endl;
    }
  }
  const clk::Progress& progress_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

int cmd_link_encode(const Options& o) {
  const clk::Schema schema = clk::Schema::parse(read_text_file(o.schema_file, "--schema"));
  for (const auto& w : schema.warnings) std::cerr << "ctis: schema: " << w << "\n";
  const clk::Encoder encoder(schema, read_secret(o.secret_file));
  std::ifstream in(o.input, std::ios::binary);
  if (!in) fail_invalid("input", "cannot read " + o.input + ": " + std::strerror(errno));

  // Written to a temporary file first: a failure half-way leaves no partial CLK file behind.
  const std::string partial = o.out + ".partial";
  std::uint64_t records = 0;
  const auto start = Clock::now();
  try {
    std::ofstream out = open_private_output(partial);
    clk::Progress progress;
    clk::CsvOptions options;
    options.skip_initial_space = o.skip_initial_space;
    options.threads = o.threads;
    {
      const ProgressPrinter printer(progress);
      records = clk::encode_csv(in, out, encoder, &progress, options);
    }
    out.close();
    if (!out) fail_unavailable("out", "cannot write " + o.out);
  } catch (...) {
    std::remove(partial.c_str());
    throw;
  }
  if (std::rename(partial.c_str(), o.out.c_str()) != 0) {
    fail_unavailable("out", "cannot write " + o.out + ": " + std::strerror(errno));
  }
  const double took = seconds_since(start);
  std::cerr << "ctis: encoded " << records << " records into " << o.out << " in "
            << static_cast<long long>(took * 1000) << " ms (" << schema.l << "-bit CLKs)"
            << std::endl;
  return 0;
}

// The CLK length of a rec_id,clk_base64 file, from its first record.
std::size_t clk_bits_of(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto comma = line.rfind(',');
    if (comma == std::string::npos) {
      fail_invalid(name + ": row 1, column clk_base64", "expected rec_id,clk_base64");
    }
    try {
      return clk::from_base64(std::string_view(line).substr(comma + 1)).bits;
    } catch (const Error& e) {
      fail_invalid(name + ": row 1, column clk_base64", e.what());
    }
  }
  fail_invalid(name, name + " holds no CLKs");
}

linkage::ClkStore read_clks(const std::string& path) {
  const std::string text = read_text_file(path, "input");
  const std::size_t bits = clk_bits_of(text, path);
  if (bits == 0) fail_invalid(path + ": row 1, column clk_base64", "empty CLK");
  return linkage::ClkStore::parse_csv(text, bits, path);
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (const char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

int cmd_link_match(const Options& o) {
  if (o.threshold < 0 || o.threshold > 1) {
    fail_invalid("--threshold", "the threshold must lie between 0 and 1");
  }
  if (o.inputs.size() != 2) fail_invalid("input", "link match needs two CLK files");
  const auto start = Clock::now();
  const linkage::ClkStore a = read_clks(o.inputs[0]);
  const linkage::ClkStore b = read_clks(o.inputs[1]);
  if (a.bits() != b.bits()) {
    fail_invalid("input", o.inputs[0] + " holds " + std::to_string(a.bits()) + "-bit CLKs but " +
                              o.inputs[1] + " holds " + std::to_string(b.bits()) + "-bit ones");
  }
  linkage::MatchOptions options;
  options.threads = o.threads;
  options.top_k = o.top_k;
  linkage::CandidateStats stats;
  const auto candidates = linkage::candidates(a, b, o.threshold, options, &stats);
  const auto pairs = linkage::greedy_one_to_one(candidates);

  std::string text = o.with_scores ? "a_id,b_id,dice\n" : "a_id,b_id\n";
  for (const auto& p : pairs) {
    text += csv_cell(a.id(p.a)) + "," + csv_cell(b.id(p.b));
    if (o.with_scores) {
      char score[32];
      std::snprintf(score, sizeof score, ",%.6f", p.dice);
      text += score;
    }
    text += "\n";
  }
  emit(o, text);
  std::cerr << "ctis: " << pairs.size() << " pairs (one to one) from " << candidates.size()
            << " candidates at threshold " << o.threshold << "; " << a.size() << " x " << b.size()
            << " records, " << stats.compared << " compared, " << stats.skipped
            << " ruled out by popcount, in " << millis_since(start) << " ms" << std::endl;
  return 0;
}

// --- The exchange client --------------------------------------------------------------------

struct ServerUrl {
  bool tls = false;
  std::string host, port, prefix;  // prefix: a path the API is mounted under, usually ""
};

ServerUrl parse_server(const std::string& url) {
  ServerUrl u;
  std::string rest;
  if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    u.tls = true;
    rest = url.substr(8);
  } else {
    fail_invalid("--server", "the server is http://HOST[:PORT] or https://HOST[:PORT]");
  }
  const auto slash = rest.find('/');
  u.prefix = slash == std::string::npos ? "" : rest.substr(slash);
  while (!u.prefix.empty() && u.prefix.back() == '/') u.prefix.pop_back();
  const std::string authority = rest.substr(0, slash);
  const auto colon = authority.rfind(':');
  u.host = authority.substr(0, colon);
  u.port = colon == std::string::npos ? (u.tls ? "443" : "80") : authority.substr(colon + 1);
  if (u.host.empty() || u.port.empty() ||
      u.port.find_first_not_of("0123456789") != std::string::npos) {
    fail_invalid("--server", "cannot read a host and port in " + url);
  }
  return u;
}

ErrorKind kind_of_status(int status) {
  switch (status) {
    case 400:
      return ErrorKind::invalid;
    case 401:
      return ErrorKind::unauthorized;
    case 403:
      return ErrorKind::forbidden;
    case 404:
      return ErrorKind::not_found;
    case 409:
      return ErrorKind::conflict;
    case 413:
      return ErrorKind::too_large;
    case 429:
      return ErrorKind::rate_limited;
    case 503:
      return ErrorKind::unavailable;
    default:
      return ErrorKind::internal;
  }
}

// One request to the CTIS API with the bearer token; returns the JSON answer of a 2xx, and turns
// the server's error answer into the same ctis::Error (kind, code, message, field).
nlohmann::json api_call(const Options& o, const std::string& method, const std::string& path,
                        const std::string& body = {}) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  namespace asio = boost::asio;
  const ServerUrl url = parse_server(o.server_url);
  const std::string token = read_private_line(o.token_file, "--token-file", "token file");
  http::request<http::string_body> req(http::string_to_verb(method), url.prefix + path, 11);
  req.set(http::field::host, url.host);
  req.set(http::field::authorization, "Bearer " + token);
  req.set(http::field::connection, "close");
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  http::response_parser<http::string_body> parser;
  parser.body_limit(std::uint64_t{512} * 1024 * 1024);
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    const auto endpoints = resolver.resolve(url.host, url.port);
    beast::flat_buffer buffer;
    if (!url.tls) {
      beast::tcp_stream stream(io);
      stream.expires_after(std::chrono::minutes(10));  // matching runs inside the last upload
      stream.connect(endpoints);
      http::write(stream, req);
      http::read(stream, buffer, parser);
    } else {
      asio::ssl::context tls(asio::ssl::context::tls_client);
      tls.set_default_verify_paths();
      tls.set_verify_mode(asio::ssl::verify_peer);
      beast::ssl_stream<beast::tcp_stream> stream(io, tls);
      if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
        fail_unavailable("server_unreachable", "TLS: cannot set the server name");
      }
      stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
      beast::get_lowest_layer(stream).expires_after(std::chrono::minutes(10));
      beast::get_lowest_layer(stream).connect(endpoints);
      stream.handshake(asio::ssl::stream_base::client);
      http::write(stream, req);
      http::read(stream, buffer, parser);
    }
  } catch (const boost::system::system_error& e) {
    fail_unavailable("server_unreachable", o.server_url + ": " + e.what());
  }
  const auto& res = parser.get();
  const int status = static_cast<int>(res.result_int());
  nlohmann::json answer = nlohmann::json::parse(res.body(), nullptr, false);
  if (status / 100 != 2) {
    const auto& e = answer.is_object() ? answer.value("error", nlohmann::json::object())
                                       : nlohmann::json::object();
    throw Error(kind_of_status(status), e.value("code", "http_" + std::to_string(status)),
                "server: " + e.value("message", res.body().substr(0, 200)),
                e.value("field", std::string()));
  }
  if (answer.is_discarded()) fail_unavailable("bad_answer", "the server's answer is not JSON");
  return answer;
}

std::string project_path(const Options& o) {
  if (o.project_id <= 0) fail_invalid("--project", "the project is a positive number");
  return "/api/v1/linkage/projects/" + std::to_string(o.project_id);
}

int cmd_link_upload(const Options& o) {
  const auto start = Clock::now();
  const exchange::Upload upload = exchange::parse_clk_csv(read_text_file(o.input, "input"));
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : upload.rows) rows.push_back({{"id", r.id}, {"clk", r.clk}});
  const nlohmann::json body = {{"clks", std::move(rows)}};
  nlohmann::json status;
  try {
    status = api_call(o, "POST", project_path(o) + "/clks", body.dump());
  } catch (const Error& e) {
    // The server names JSON rows ("/clks/3/clk"); the user knows CSV rows (data rows from 1).
    const std::string& f = e.field();
    if (f.rfind("/clks/", 0) == 0) {
      const auto n = std::stoull(f.substr(6));
      const auto column = f.substr(f.rfind('/') + 1) == "id" ? "rec_id" : "clk_base64";
      throw Error(e.kind(), e.code(), o.input + ": " + e.what(),
                  "row " + std::to_string(n + 1) + ", column " + column);
    }
    throw;
  }
  std::cerr << "ctis: uploaded " << upload.rows.size() << " CLKs to project " << o.project_id
            << " in " << millis_since(start) << " ms; project " << status.value("status", "?");
  for (const auto& p : status.value("parties", nlohmann::json::array())) {
    std::cerr << "; " << p.value("organisation", "") << ": "
              << (p.value("uploaded", false) ? "uploaded" : "waiting");
  }
  std::cerr << std::endl;
  return 0;
}

int cmd_link_results(const Options& o) {
  const auto answer = api_call(o, "GET", project_path(o) + "/results");
  std::string text = "rec_id,group\n";
  for (const auto& m : answer.value("matches", nlohmann::json::array())) {
    text += csv_cell(m.value("id", "")) + "," + std::to_string(m.value("group", 0)) + "\n";
  }
  emit(o, text);
  std::cerr << "ctis: " << answer.value("matches", nlohmann::json::array()).size() << " of "
            << answer.value("organisation", "") << "'s records matched in project " << o.project_id
            << std::endl;
  return 0;
}

// --- Deduplication within one file ----------------------------------------------------------

// Without settings: the first column is the record id; every other column is compared by
// Jaro-Winkler with term frequencies, and records sharing any one value exactly are candidates,
// on columns with many distinct values (a state or sex column would pair nearly everyone).
dedup::Settings default_dedup_settings(const dedup::Table& table) {
  dedup::Settings s;
  for (std::size_t c = 1; c < table.columns.size() && c <= dedup::kMaxComparisons; ++c) {
    dedup::Comparison cmp;
    cmp.column = table.columns[c];
    cmp.kind = dedup::CompareKind::jaro_winkler;
    cmp.term_frequency = true;
    s.comparisons.push_back(cmp);
    std::set<std::string_view> distinct;
    for (const auto& row : table.rows) {
      if (!row[c].empty()) distinct.insert(row[c]);
    }
    if (distinct.size() * 10 >= table.size()) s.blocking_rules.push_back({{{table.columns[c], 0}}});
  }
  if (s.blocking_rules.empty())
    fail_invalid("input", "no column has values distinct enough to block on");
  if (s.comparisons.empty()) fail_invalid("input", "the file needs an id column and others");
  return s;
}

int cmd_link_dedup(const Options& o) {
  const auto start = Clock::now();
  std::ifstream in(o.input, std::ios::binary);
  if (!in) fail_invalid("input", "cannot read " + o.input + ": " + std::strerror(errno));
  const dedup::Table table = dedup::read_csv(in, o.input);
  dedup::Settings settings =
      o.settings_file.empty()
          ? default_dedup_settings(table)
          : dedup::parse_settings(read_text_file(o.settings_file, "--settings"));
  if (o.min_probability < 0 || o.min_probability > 1) {
    fail_invalid("--min-probability", "a probability lies between 0 and 1");
  }
  settings.match_probability = o.min_probability;
  if (o.threads != 0) settings.threads = o.threads;
  const dedup::Model model = dedup::train(table, settings);
  const auto scored = dedup::score(table, model);
  const auto clusters = dedup::cluster(table.size(), scored, o.min_probability);
  std::vector<std::size_t> cluster_size(clusters.count, 0);
  for (const auto c : clusters.cluster_of) ++cluster_size[c];

  std::string text = "a_id,b_id,probability,weight,cluster,drove,reasons\n";
  std::size_t pairs = 0;
  for (const auto& p : scored) {
    if (p.probability < o.min_probability) continue;
    const auto reasons = dedup::explain(model, p);
    // The comparison that drove the decision: the largest contribution toward it.
    const dedup::Reason* drove = nullptr;
    std::string all;
    for (const auto& r : reasons) {
      if (!drove || r.weight > drove->weight) drove = &r;
      all += (all.empty() ? "" : "; ") + r.text();
    }
    char numbers[64];
    std::snprintf(numbers, sizeof numbers, "%.6f,%.3f", p.probability, p.weight);
    text += csv_cell(table.rows[p.pair.a][0]) + "," + csv_cell(table.rows[p.pair.b][0]) + "," +
            numbers + "," + std::to_string(clusters.cluster_of[p.pair.a] + 1) + "," +
            csv_cell(drove ? drove->text() : "") + "," + csv_cell(all) + "\n";
    ++pairs;
  }
  emit(o, text);
  const auto multi = static_cast<std::size_t>(
      std::count_if(cluster_size.begin(), cluster_size.end(), [](std::size_t n) { return n > 1; }));
  std::cerr << "ctis: " << pairs << " duplicate pairs at probability >= " << o.min_probability
            << " among " << table.size() << " records (" << scored.size() << " candidate pairs); "
            << multi << " clusters of two or more records; EM "
            << (model.em_converged ? "converged" : "did not converge") << " in "
            << model.em_iterations << " iterations; " << millis_since(start) << " ms" << std::endl;
  return 0;
}

// Synthetic person records with planted duplicates, for testing dedup at scale.
int cmd_link_generate(const Options& o) {
  const double duplicate_share = o.duplicate_share;
  const auto start = Clock::now();
  if (o.rows == 0) fail_invalid("--rows", "--rows must be at least 1");
  const dedup::Table table = dedup::generate_persons(o.rows, duplicate_share, o.seed);
  std::ofstream out = open_private_output(o.out);
  dedup::write_csv(out, table);
  out.close();
  if (!out) fail_invalid("--out", "cannot write " + o.out + ": " + std::strerror(errno));
  std::cerr << "ctis: wrote " << table.size() << " person records (duplicate share "
            << duplicate_share << ", seed " << o.seed << ") to " << o.out << " in "
            << millis_since(start) << " ms" << std::endl;
  return 0;
}

}  // namespace

void add_link_commands(CLI::App& app, Options& o) {
  auto* link = app.add_subcommand("link", "Privacy-preserving record linkage (CLKs)");
  link->require_subcommand(1);

  auto* encode = add_leaf(link, "encode",
                          "Encode identifying records (CSV) as CLKs under a linkage schema and a "
                          "shared secret (clkhash-compatible)",
                          o, cmd_link_encode);
  encode->add_option("file", o.input, "CSV file: a header, then one column per schema feature")
      ->required();
  encode->add_option("--schema", o.schema_file, "Linkage schema (clkhash v3 JSON)")->required();
  encode
      ->add_option("--secret-file", o.secret_file,
                   "File holding the secret shared with the partners (mode 0600)")
      ->required();
  encode->add_option("--out", o.out, "CLK file to write (rec_id,clk_base64; mode 0600)")
      ->required();
  encode->add_option("--threads", o.threads, "Worker threads (default: all cores)");
  encode->add_flag("--skip-initial-space", o.skip_initial_space,
                   "Drop spaces after each comma (as the FEBRL files need)");

  auto* match = add_leaf(link, "match",
                         "Pair the records of two CLK files one to one by Dice similarity; "
                         "writes the pairs of ids only",
                         o, cmd_link_match);
  match->add_option("files", o.inputs, "Two CLK files (rec_id,clk_base64)")
      ->required()
      ->expected(2);
  match->add_option("--threshold", o.threshold, "Lowest Dice similarity of a pair (default 0.8)");
  match->add_option("--top-k", o.top_k, "Keep only the K best candidates per record of A");
  match->add_option("--threads", o.threads, "Worker threads (default: all cores)");
  match->add_flag("--with-scores", o.with_scores,
                  "Add a dice column (for the local analyst only: never send scores to partners)");
  match->add_option("--out", o.out, "Pairs file to write (a_id,b_id; default stdout)");

  const auto client = [&o](CLI::App* cmd) {
    cmd->add_option("--server", o.server_url, "CTIS server, http(s)://HOST[:PORT]")->required();
    cmd->add_option("--token-file", o.token_file, "File holding an API token (mode 0600)")
        ->required();
    cmd->add_option("--project", o.project_id, "Linkage project number")->required();
  };
  auto* upload = add_leaf(link, "upload",
                          "Upload one's party's CLK file (rec_id,clk_base64) to a linkage project "
                          "of a CTIS exchange",
                          o, cmd_link_upload);
  upload->add_option("file", o.input, "CLK file from `ctis link encode` or clkhash")->required();
  client(upload);
  auto* results = add_leaf(link, "results",
                           "Fetch one's party's matched record ids (rec_id,group) from a linkage "
                           "project of a CTIS exchange",
                           o, cmd_link_results);
  client(results);
  results->add_option("--out", o.out, "File to write (rec_id,group; default stdout)");

  auto* dedup = add_leaf(link, "dedup",
                         "Find duplicate records within one CSV (Fellegi-Sunter): pairs with "
                         "their probability and reasons, and clusters",
                         o, cmd_link_dedup);
  dedup->add_option("file", o.input, "CSV with a header; the first column is the record id")
      ->required();
  dedup->add_option("--settings", o.settings_file,
                    "Comparisons and blocking rules (JSON; default: every column by "
                    "Jaro-Winkler, blocking on each)");
  dedup->add_option("--min-probability", o.min_probability,
                    "Lowest match probability of a reported pair (default 0.5)");
  dedup->add_option("--out", o.out, "Pairs file to write (default stdout)");
  dedup->add_option("--threads", o.threads, "Worker threads (default: all cores)");

  auto* generate = add_leaf(link, "generate",
                            "Write synthetic person records (FEBRL columns) with planted "
                            "duplicates; the truth is in rec_id (rec-N-org, rec-N-dup-K)",
                            o, cmd_link_generate);
  generate->add_option("--rows", o.rows, "Number of records")->required();
  generate->add_option("--out", o.out, "CSV file to write")->required();
  generate->add_option("--seed", o.seed, "Random seed (default 1): the same seed, the same file");
  generate->add_option("--duplicates", o.duplicate_share,
                       "Share of the records that are corrupted copies (default 0.15)");
}

}  // namespace ctis::cli
