# Compiles the migration files into the library: writes a .cc defining builtin_migrations()
# with each file's exact text (its checksum must match the file on disk).
#   cmake -DMIGRATIONS_DIR=<dir> -DOUTPUT=<file.cc> -P embed_migrations.cmake
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/cpp_literal.cmake)

file(GLOB files LIST_DIRECTORIES false "${MIGRATIONS_DIR}/*.sql")
list(SORT files)
set(entries "")
foreach(path IN LISTS files)
  get_filename_component(file_name "${path}" NAME)
  if(NOT file_name MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
    message(FATAL_ERROR "${path}: migration files are named NNNN_name.sql (lowercase name)")
  endif()
  set(name "${CMAKE_MATCH_2}")
  string(REGEX REPLACE "^0+" "" version "${CMAKE_MATCH_1}")
  if(version STREQUAL "")
    message(FATAL_ERROR "${path}: migration versions start at 0001")
  endif()
  file(READ "${path}" sql)
  ctis_cpp_literal(sql "${sql}")
  string(APPEND entries "    {${version}, \"${name}\",\n     \"${sql}\"},\n")
endforeach()

file(WRITE "${OUTPUT}.tmp" "// Generated from src/store/migrations/*.sql by embed_migrations.cmake. Do not edit.
#include \"store/store.h\"

#pragma GCC diagnostic ignored \"-Woverlength-strings\"

namespace ctis::store {

const std::vector<Migration>& builtin_migrations() {
  static const std::vector<Migration> migrations = {
${entries}  };
  return migrations;
}

}  // namespace ctis::store
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
