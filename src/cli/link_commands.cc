// `ctis link encode` and `ctis link match`: privacy-preserving record linkage with partners.
//
// encode turns a CSV of identifying records into CLKs (clkhash's `rec_id,clk_base64` form)
// under a linkage schema and a secret shared with the partners; the secret is read from a file
// only its owner can read, and never printed. match pairs two CLK files one to one (greedy, by
// Dice similarity) and writes only the pairs of ids: similarity scores stay with the analyst
// who asks for them (--with-scores), they are not for the partners.
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
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "clk/clk.h"
#include "core/core.h"
#include "linkage/linkage.h"

namespace ctis::cli {
namespace {

using Clock = std::chrono::steady_clock;

// The shared secret: the file must be private (as the data key file is), one line, the
// trailing line end stripped.
std::string read_secret(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    fail_invalid("--secret-file", "secret file " + path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    throw Error(
        ErrorKind::unavailable, "secret_file",
        "secret file " + path + ": permissions are too open (must be 0600: chmod 600 " + path + ")",
        "--secret-file");
  }
  std::string secret = read_text_file(path, "--secret-file");
  if (!secret.empty() && secret.back() == '\n') secret.pop_back();
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.empty()) fail_invalid("--secret-file", "secret file " + path + " is empty");
  return secret;
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
}

}  // namespace ctis::cli
