# ctis_cpp_literal(OUT TEXT): TEXT as the body of a C++ string literal (without the outer
# quotes), one source line per text line, for the scripts that compile files into the program.
function(ctis_cpp_literal out text)
  string(REPLACE "\\" "\\\\" text "${text}")
  string(REPLACE "\"" "\\\"" text "${text}")
  string(REPLACE "\t" "\\t" text "${text}")
  string(REPLACE "\r" "\\r" text "${text}")
  string(REPLACE "\n" "\\n\"\n     \"" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()
