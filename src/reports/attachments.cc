// Attachments: JPEG and PNG only, recognised from the bytes, rebuilt without the parts that
// can carry metadata (EXIF with GPS positions and camera serials, XMP, comments, text, times).
#include <zlib.h>

#include <cstring>

#include "reports/internal.h"

namespace ctis::reports::detail {
namespace {

std::uint32_t be32(std::string_view b, std::size_t at) {
  return (std::uint32_t{static_cast<unsigned char>(b[at])} << 24) |
         (std::uint32_t{static_cast<unsigned char>(b[at + 1])} << 16) |
         (std::uint32_t{static_cast<unsigned char>(b[at + 2])} << 8) |
         std::uint32_t{static_cast<unsigned char>(b[at + 3])};
}

std::size_t be16(std::string_view b, std::size_t at) {
  return (std::size_t{static_cast<unsigned char>(b[at])} << 8) |
         std::size_t{static_cast<unsigned char>(b[at + 1])};
}

[[noreturn]] void broken(const std::string& field, const std::string& what) {
  fail_invalid(field, field + ": " + what);
}

// Segments kept: SOFn, DHT, DQT, DRI, DAC, SOS with its scan, DNL, EXP, and an APP0 that is
// JFIF. Dropped: APP1..APP15 (Exif, XMP, ICC, Photoshop, ...) and COM. Anything after EOI is
// dropped too.
std::string strip_jpeg(const std::string& field, std::string_view in) {
  std::string out = "\xFF\xD8";
  std::size_t at = 2;
  bool scanned = false;
  for (;;) {
    if (at >= in.size()) broken(field, "truncated JPEG (no end of image)");
    if (static_cast<unsigned char>(in[at]) != 0xFF) broken(field, "damaged JPEG (marker expected)");
    while (at < in.size() && static_cast<unsigned char>(in[at]) == 0xFF) ++at;  // fill bytes
    if (at >= in.size()) broken(field, "truncated JPEG");
    const auto marker = static_cast<unsigned char>(in[at++]);
    if (marker == 0xD9) {
      if (!scanned) broken(field, "JPEG without image data");
      out += "\xFF\xD9";
      return out;
    }
    if (marker == 0x00 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      broken(field, "damaged JPEG (unexpected marker)");
    }
    if (at + 2 > in.size()) broken(field, "truncated JPEG");
    const std::size_t length = be16(in, at);
    if (length < 2 || at + length > in.size()) broken(field, "truncated JPEG segment");
    const std::string_view segment = in.substr(at, length);
    at += length;
    const bool app = marker >= 0xE0 && marker <= 0xEF;
    const bool keep_app0 =
        marker == 0xE0 && length >= 7 && segment.substr(2, 5) == std::string_view("JFIF\0", 5);
    if (marker == 0xFE || (app && !keep_app0)) continue;
    out += static_cast<char>(0xFF);
    out += static_cast<char>(marker);
    out.append(segment);
    if (marker != 0xDA) continue;
    // Entropy-coded data runs to the next marker that is neither a stuffed 0xFF00 nor RSTn.
    const std::size_t start = at;
    for (;;) {
      if (at + 1 >= in.size()) broken(field, "truncated JPEG scan");
      if (static_cast<unsigned char>(in[at]) == 0xFF) {
        const auto next = static_cast<unsigned char>(in[at + 1]);
        if (next != 0x00 && !(next >= 0xD0 && next <= 0xD7) && next != 0xFF) break;
        if (next == 0xFF) {
          ++at;
          continue;
        }
        at += 2;
        continue;
      }
      ++at;
    }
    out.append(in.substr(start, at - start));
    scanned = true;
  }
}

bool png_chunk_kept(std::string_view type) {
  for (std::string_view keep : {"IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB"}) {
    if (type == keep) return true;
  }
  return false;
}

std::string strip_png(const std::string& field, std::string_view in) {
  std::string out(in.substr(0, 8));
  std::size_t at = 8;
  bool first = true;
  bool has_data = false;
  for (;;) {
    if (at + 12 > in.size()) broken(field, "truncated PNG (no end chunk)");
    const std::uint32_t length = be32(in, at);
    if (length > in.size() - at - 12) broken(field, "truncated PNG chunk");
    const std::string_view type = in.substr(at + 4, 4);
    for (char c : type) {
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) broken(field, "damaged PNG chunk");
    }
    const std::string_view body = in.substr(at + 4, 4 + length);  // type and data
    const std::uint32_t stored_crc = be32(in, at + 8 + length);
    const auto crc = static_cast<std::uint32_t>(
        crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
    if (crc != stored_crc)
      broken(field, "damaged PNG (checksum of chunk " + std::string(type) + ")");
    if (first && type != "IHDR") broken(field, "damaged PNG (IHDR must come first)");
    first = false;
    const bool critical = type[0] >= 'A' && type[0] <= 'Z';
    if (critical && !png_chunk_kept(type))
      broken(field, "unsupported PNG chunk " + std::string(type));
    if (png_chunk_kept(type)) out.append(in.substr(at, 12 + length));
    if (type == "IDAT") has_data = true;
    at += 12 + length;
    if (type == "IEND") {
      if (!has_data) broken(field, "PNG without image data");
      return out;
    }
  }
}

}  // namespace

std::string strip_image(std::string_view field, std::string_view bytes) {
  const std::string f(field);
  static constexpr std::string_view png_signature("\x89PNG\r\n\x1a\n", 8);
  if (bytes.size() >= 8 && bytes.substr(0, 8) == png_signature) return strip_png(f, bytes);
  if (bytes.size() >= 3 && bytes.substr(0, 3) == std::string_view("\xFF\xD8\xFF", 3)) {
    return strip_jpeg(f, bytes);
  }
  fail_invalid(f, f + ": not a JPEG or PNG image");
}

}  // namespace ctis::reports::detail
