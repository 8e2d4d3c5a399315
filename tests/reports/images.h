// Small image fixtures built in code: PNGs with correct chunk checksums and JPEGs whose
// segment structure is right (the scan data is a placeholder: nothing here decodes pixels).
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string>

namespace ctis::reports::fixtures {

inline std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

inline std::string png_chunk(const std::string& type, const std::string& data) {
  const std::string body = type + data;
  const auto crc = static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  return be32(static_cast<std::uint32_t>(data.size())) + body + be32(crc);
}

// A 1x1 grey PNG, with any extra chunks placed after IHDR.
inline std::string png(const std::string& extra_chunks = "") {
  const std::string ihdr = be32(1) + be32(1) + std::string("\x08\x00\x00\x00\x00", 5);
  const std::string raw("\x00\x80", 2);  // filter 0, one grey pixel
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string z(size, '\0');
  compress(reinterpret_cast<Bytef*>(z.data()), &size, reinterpret_cast<const Bytef*>(raw.data()),
           static_cast<uLong>(raw.size()));
  z.resize(size);
  return std::string("\x89PNG\r\n\x1a\n", 8) + png_chunk("IHDR", ihdr) + extra_chunks +
         png_chunk("IDAT", z) + png_chunk("IEND", "");
}

inline std::string jpeg_segment(unsigned char marker, const std::string& data) {
  const auto len = data.size() + 2;
  return std::string{static_cast<char>(0xFF), static_cast<char>(marker),
                     static_cast<char>(len >> 8), static_cast<char>(len & 0xFF)} +
         data;
}

// SOI, APP0 JFIF, [extra segments], DQT, SOF0, DHT, SOS, scan (with a stuffed 0xFF00 and an
// RST0), EOI.
inline std::string jpeg(const std::string& extra_segments = "") {
  const std::string scan("\x12\x34\xFF\x00\x56\xFF\xD0\x78\x9A", 9);
  return std::string("\xFF\xD8", 2) +
         jpeg_segment(0xE0, std::string("JFIF\0\x01\x02\x00\x00\x01\x00\x01\x00\x00", 14)) +
         extra_segments + jpeg_segment(0xDB, std::string(65, '\x01')) +
         jpeg_segment(0xC0, std::string("\x08\x00\x01\x00\x01\x01\x01\x11\x00", 9)) +
         jpeg_segment(0xC4, std::string(20, '\x00')) +
         jpeg_segment(0xDA, std::string("\x01\x01\x00\x00\x3F\x00", 6)) + scan +
         std::string("\xFF\xD9", 2);
}

}  // namespace ctis::reports::fixtures
