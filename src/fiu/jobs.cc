// Scans of uploaded bank exports, run on background threads with progress.
#include <sstream>

#include "core/refdata.h"
#include "fiu/internal.h"

namespace ctis::fiu {

namespace fin = ctis::finance;

Job Desk::start_scan(const auth::Principal& by, ScanUpload upload) {
  detail::require_analyst(by);
  if (upload.csv.empty()) fail_invalid("csv", "the bank export is empty");
  if (upload.csv.size() + upload.accounts_csv.size() > options_.max_upload_bytes) {
    throw Error(ErrorKind::too_large, "too_large",
                "the upload is larger than " + std::to_string(options_.max_upload_bytes) + " bytes",
                "csv");
  }
  if (upload.mapping_json.empty()) {
    const auto it = reference_files().find("finance/mappings/ctis-synthetic.json");
    if (it == reference_files().end())
      throw Error(ErrorKind::unavailable, "mapping", "the shipped mapping is not compiled in");
    upload.mapping_json = std::string(it->second);
  }
  (void)fin::ColumnMapping::from_json(upload.mapping_json);  // bad mappings fail now, not later
  if (upload.source.empty()) upload.source = "upload";
  Job job;
  {
    std::lock_guard lock(mutex_);
    job.id = next_job_++;
    job.state = "running";
    job.total_bytes = static_cast<std::int64_t>(upload.csv.size());
    jobs_[job.id] = job;
    threads_.emplace_back(&Desk::run_job, this, job.id, std::move(upload), by);
  }
  auto entry = by.audit("finance.scan.start", "");
  entry.detail =
      "job " + std::to_string(job.id) + ", " + std::to_string(job.total_bytes) + " bytes";
  audit_.append(entry);
  return job;
}

void Desk::run_job(std::int64_t id, ScanUpload upload, const auth::Principal& by) {
  auto update = [this, id](const std::function<void(Job&)>& fn) {
    std::lock_guard lock(mutex_);
    fn(jobs_[id]);
  };
  try {
    const auto mapping = fin::ColumnMapping::from_json(upload.mapping_json);
    std::vector<fin::AccountRecord> accounts;
    if (!upload.accounts_csv.empty()) {
      std::istringstream in(upload.accounts_csv);
      accounts = fin::read_accounts_csv(in);
    }
    fin::IngestOptions io;
    io.progress_every = 5000;
    io.progress = [&update](std::size_t rows, std::size_t bytes) {
      update([&](Job& j) {
        j.rows = static_cast<std::int64_t>(rows);
        j.bytes = static_cast<std::int64_t>(bytes);
      });
    };
    std::istringstream in(std::move(upload.csv));
    fin::IngestReport report;
    const fin::Ledger ledger = fin::ingest_csv(in, mapping, io, &report, accounts);
    update([&](Job& j) {
      j.rows = static_cast<std::int64_t>(report.rows);
      j.bytes = j.total_bytes;
    });
    const auto& typologies = fin::TypologyParams::defaults();
    std::vector<fin::Pattern> patterns;
    for (std::size_t i = 0; i < fin::kPatternCount; ++i) {
      const auto p = static_cast<fin::Pattern>(i);
      if (!fin::is_typology(p) || ledger.timed()) patterns.push_back(p);
    }
    std::vector<fin::Hit> hits;
    for (auto& found : fin::run_patterns(ledger, patterns, typologies)) {
      for (auto& h : found) hits.push_back(std::move(h));
    }
    const auto result = load_scan(by, ledger, hits, upload.source, typologies);
    update([&](Job& j) {
      j.state = "done";
      j.result = result;
    });
  } catch (const std::exception& e) {
    update([&](Job& j) {
      j.state = "failed";
      j.error = e.what();
    });
  }
}

Job Desk::job(const auth::Principal& by, std::int64_t id) {
  detail::require_analyst(by);
  std::lock_guard lock(mutex_);
  const auto it = jobs_.find(id);
  if (it == jobs_.end()) {
    throw Error(ErrorKind::not_found, "not_found", "no scan job " + std::to_string(id));
  }
  return it->second;
}

}  // namespace ctis::fiu
