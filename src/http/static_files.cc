// Serving the built web app from a directory.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "http/http.h"
#include "http/internal.h"

namespace ctis::http {
namespace {

namespace fs = std::filesystem;

std::string_view content_type_for(std::string_view path) {
  struct Entry {
    std::string_view ext, type;
  };
  static constexpr Entry kTypes[] = {
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"ico", "image/x-icon"},
      {"woff2", "font/woff2"},
      {"txt", "text/plain; charset=utf-8"},
      {"webmanifest", "application/manifest+json"},
  };
  std::size_t dot = path.rfind('.');
  std::size_t slash = path.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  std::string_view ext = path.substr(dot + 1);
  for (const auto& e : kTypes) {
    if (detail::iequals(e.ext, ext)) return e.type;
  }
  return "application/octet-stream";
}

// Only plain, visible names: no "..", no dot-files (".git", ".env"), no NUL or backslash.
bool safe_path(std::string_view path) {
  if (path.empty() || path[0] != '/') return false;
  if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos) {
    return false;
  }
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start && path[start] == '.') return false;
    start = end + 1;
  }
  return true;
}

bool has_extension(std::string_view path) {
  std::string_view last = path.substr(path.rfind('/') + 1);
  return last.find('.') != std::string_view::npos;
}

bool within(const fs::path& root, const fs::path& p) {
  auto [r, q] = std::mismatch(root.begin(), root.end(), p.begin(), p.end());
  return r == root.end();
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  std::size_t start = 0;
  while (start < if_none_match.size()) {
    std::size_t comma = if_none_match.find(',', start);
    if (comma == std::string_view::npos) comma = if_none_match.size();
    std::string_view tag = if_none_match.substr(start, comma - start);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);  // weak comparison, as RFC 9110 asks
    if (tag == "*" || tag == etag) return true;
    start = comma + 1;
  }
  return false;
}

struct FileData {
  std::string body;
  std::string etag;
};

std::optional<FileData> read_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  FileData out;
  out.body.resize(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < out.body.size()) {
    ssize_t n = ::read(fd, out.body.data() + done, out.body.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.body.resize(done);
  // Size and modification time identify a version well enough for a deployed build.
  char tag[64];
  long long mtime_ns =
      static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  std::snprintf(tag, sizeof tag, "\"%zx-%llx\"", done, mtime_ns);
  out.etag = tag;
  return out;
}

}  // namespace

StaticFiles::StaticFiles(std::string root) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(root, ec), ec);
  root_ = ec ? std::move(root) : p.string();
}

std::optional<Response> StaticFiles::serve(const Request& req) const {
  if (req.method != "GET" && req.method != "HEAD") return std::nullopt;
  if (!safe_path(req.path)) return std::nullopt;

  std::error_code ec;
  const fs::path root = fs::canonical(root_, ec);
  if (ec) return std::nullopt;

  fs::path file = root / fs::path(req.path.substr(1));
  bool fallback = false;
  auto st = fs::status(file, ec);
  if (ec || !fs::is_regular_file(st)) {
    if (!ec && fs::is_directory(st) && fs::is_regular_file(file / "index.html", ec)) {
      file /= "index.html";
    } else if (has_extension(req.path)) {
      return std::nullopt;  // a missing asset is a real 404, not the app shell
    } else {
      file = root / "index.html";
      fallback = true;
    }
  }
  // Resolve symlinks and refuse anything that lands outside the root.
  fs::path real = fs::canonical(file, ec);
  if (ec || !within(root, real)) return std::nullopt;

  auto data = read_file(real);
  if (!data) return std::nullopt;

  Response res;
  res.content_type = std::string(content_type_for(real.native()));
  // Files under /assets/ carry a content hash in their name, so they never change.
  bool immutable = !fallback && req.path.starts_with("/assets/");
  res.headers.emplace_back("ETag", data->etag);
  res.headers.emplace_back("Cache-Control",
                           immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (etag_matches(req.header("if-none-match"), data->etag)) {
    res.status = 304;
    return res;
  }
  res.body = std::move(data->body);
  return res;
}

}  // namespace ctis::http
