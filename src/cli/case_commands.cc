// `ctis case import` and `ctis case export` (CTDC format).
//
// Import reads the whole file first, checking every row (and every cell of a bad row) against
// the same validation as the API, and reports each bad cell on stderr as "row N, column X:
// reason". Only a file without a bad cell is written, in one transaction; with --skip-invalid
// the valid rows are written and the bad ones go to a reject file (--out) with an `error`
// column. Export writes the pseudonymous CTDC profile of every case: never identifiers, never
// immigration status.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/ctdc.h"
#include "cli/ctdc_csv.h"
#include "cli/runtime.h"

namespace ctis::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kProgressEvery = 10000;

std::string fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string per_second(std::size_t n, double seconds) {
  return std::to_string(static_cast<long long>(static_cast<double>(n) / std::max(seconds, 1e-6)));
}

auth::Organisation organisation_for(Runtime& rt, const std::string& name) {
  if (!name.empty()) {
    auto org = rt.auth->find_organisation(name);
    if (!org) {
      throw Error(ErrorKind::not_found, "not_found", "no organisation named \"" + name + "\"",
                  "--org");
    }
    return *org;
  }
  const auto all = rt.auth->organisations();
  if (all.size() == 1) return all.front();
  fail_invalid("--org", all.empty() ? "there is no organisation yet (`ctis user add` creates one)"
                                    : "there are " + std::to_string(all.size()) +
                                          " organisations: name the cases' one with --org");
}

// The operator at the command line, acting for an organisation: cases are created only by
// the organisation's coordinators and caseworkers, and exports limited to one organisation
// are what its coordinator would see.
auth::Principal operator_for(std::int64_t organisation_id) {
  auth::Principal p = auth::operator_principal();
  p.role = auth::Role::coordinator;
  p.organisation_id = organisation_id;
  return p;
}

struct CloseFile {
  void operator()(std::FILE* f) const {
    if (f != stdin) std::fclose(f);
  }
};

struct Rejected {
  std::vector<std::string> cells;
  std::string error;
};

int cmd_case_import(const Options& o) {
  Runtime rt = open_runtime(load_options(o), Schema::must_be_current);
  const auth::Organisation org = organisation_for(rt, o.organisation);
  std::unique_ptr<std::FILE, CloseFile> file(o.input == "-" ? stdin
                                                            : std::fopen(o.input.c_str(), "rb"));
  if (!file) fail_invalid("input", "cannot read " + o.input + ": " + std::strerror(errno));

  const auto start = Clock::now();
  CsvReader csv(file.get(), o.input);
  const ctdc::RowReader reader(csv.header());
  std::vector<Rejected> rejected;
  std::size_t bad_rows = 0, errors_seen = 0;
  std::vector<std::string> row;
  std::vector<ctdc::CellError> errors;
  // Rows are checked and written in one pass, in one transaction: the first bad row (without
  // --skip-invalid) stops the writing, the rest are still checked so every error is reported,
  // and the end of the file then rolls everything back.
  const auto next_valid = [&](cases::Record& out) {
    for (;;) {
      bool more = false;
      try {
        more = csv.next(row);
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::invalid) throw;
        std::cerr << e.what() << "\n";
        fail_invalid(o.input, o.input + " cannot be read past row " +
                                  std::to_string(csv.row_number()) + "; nothing imported");
      }
      if (!more) {
        if (bad_rows > 0 && !o.skip_invalid) {
          fail_invalid(o.input, o.input + ": " + std::to_string(errors_seen) + " errors in " +
                                    std::to_string(bad_rows) + " of " +
                                    std::to_string(csv.row_number()) +
                                    " rows; nothing imported (correct them, or import the valid "
                                    "rows with --skip-invalid)");
        }
        return false;
      }
      const std::size_t n = csv.row_number();
      if (n % kProgressEvery == 0) {
        std::cerr << "ctis: read " << n << " rows (" << per_second(n, seconds_since(start))
                  << " rows/s)" << std::endl;
      }
      errors.clear();
      if (auto record = reader.read(row, errors)) {
        if (!o.skip_invalid && bad_rows > 0) continue;  // nothing will be written: only check
        out = std::move(*record);
        return true;
      }
      ++bad_rows;
      std::string joined;
      for (const auto& e : errors) {
        const std::string column = e.column.empty() ? "" : "column " + e.column + ": ";
        std::cerr << "row " << n << (e.column.empty() ? ": " : ", " + column) << e.reason << "\n";
        joined += (joined.empty() ? "" : "; ") + column + e.reason;
      }
      errors_seen += errors.size();
      if (o.skip_invalid) rejected.push_back({row, joined});
    }
  };
  const std::size_t written = rt.cases->insert_stream(operator_for(org.id), org.id, next_valid);
  const std::size_t total = csv.row_number();
  const double took = seconds_since(start);

  if (o.skip_invalid) {
    std::string text;
    std::vector<std::string> header = csv.header();
    // A reject file imported again already ends with an error column: new reasons replace it.
    const bool had_error = !header.empty() && header.back() == "error";
    if (!had_error) header.push_back("error");
    append_csv_line(text, header);
    for (auto& r : rejected) {
      if (had_error && r.cells.size() == header.size()) r.cells.pop_back();
      r.cells.push_back(r.error);
      append_csv_line(text, r.cells);
    }
    emit(o, text);
  }
  std::cerr << "ctis: imported " << written << " cases into " << org.name << " in " << fixed2(took)
            << " s (" << per_second(total, took) << " rows/s)";
  if (o.skip_invalid) {
    std::cerr << "; rejected " << rejected.size() << " rows"
              << (o.out.empty() || o.out == "-" ? "" : " (see " + o.out + ")");
  }
  std::cerr << std::endl;
  return 0;
}

int cmd_case_export(const Options& o) {
  if (!o.format.empty() && o.format != "ctdc") {
    fail_invalid("--format", "unknown format \"" + o.format + "\": the export format is ctdc");
  }
  Runtime rt = open_runtime(load_options(o), Schema::must_be_current);
  // Pseudonymous profiles only: export_profiles never returns identifiers or immigration status.
  const auto profiles =
      o.organisation.empty()
          ? rt.cases->export_profiles(auth::operator_principal())
          : rt.cases->export_profiles(operator_for(organisation_for(rt, o.organisation).id));
  std::string text;
  append_csv_line(text, ctdc::columns());
  for (const auto& p : profiles) append_csv_line(text, ctdc::profile_row(p));
  emit(o, text);
  std::cerr << "ctis: exported " << profiles.size() << " cases (CTDC 2024 columns)" << std::endl;
  return 0;
}

}  // namespace

void add_case_commands(CLI::App& app, Options& o) {
  auto* cases = app.add_subcommand("case", "Cases of presumed victims");
  cases->require_subcommand(1);

  auto* import = add_leaf(cases, "import",
                          "Import cases from a CTDC-format CSV file: every row is checked first, "
                          "and nothing is written unless all are valid",
                          o, cmd_case_import);
  import->add_option("file", o.input, "CSV file (- for standard input)")->required();
  import->add_option("--org", o.organisation,
                     "Organisation the cases belong to (default: the only one)");
  import->add_flag("--skip-invalid", o.skip_invalid,
                   "Write the valid rows and put the others in a reject file (--out)");
  import->add_option("--out", o.out,
                     "Reject file for --skip-invalid: the bad rows and an error column "
                     "(default stdout)");

  auto* export_ =
      add_leaf(cases, "export", "Export every case's pseudonymous profile (no identifiers) as CSV",
               o, cmd_case_export);
  export_->add_option("--format", o.format, "ctdc: the CTDC 2024 columns and codings (default)");
  export_->add_option("--org", o.organisation, "Only this organisation's cases");
  export_->add_option("--out", o.out, "CSV file to write (default stdout)");
}

}  // namespace ctis::cli
