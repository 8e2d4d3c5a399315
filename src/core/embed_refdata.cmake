# Compiles the reference data folder into the program: writes a .cc whose reference_files()
# returns every file under DATA_DIR (relative path -> exact text).
#   cmake -DDATA_DIR=<dir> -DOUTPUT=<file.cc> -P embed_refdata.cmake
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/cpp_literal.cmake)

file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE "${DATA_DIR}" "${DATA_DIR}/*")
list(SORT files)
set(entries "")
foreach(relative IN LISTS files)
  if(relative MATCHES "(^|/)\\." OR relative MATCHES "README.md$")
    continue()
  endif()
  file(READ "${DATA_DIR}/${relative}" text)
  ctis_cpp_literal(text "${text}")
  string(APPEND entries "    {\"${relative}\",\n     \"${text}\"},\n")
endforeach()

file(WRITE "${OUTPUT}.tmp" "// Generated from data/ by embed_refdata.cmake. Do not edit.
#include \"core/refdata.h\"

#pragma GCC diagnostic ignored \"-Woverlength-strings\"

namespace ctis {

const std::map<std::string, std::string_view>& reference_files() {
  static const std::map<std::string, std::string_view> files = {
${entries}  };
  return files;
}

}  // namespace ctis
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
