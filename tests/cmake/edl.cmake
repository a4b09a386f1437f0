# SPDX-License-Identifier: MIT
# cella-edger8r: the EDL conformance corpus (valid and invalid), the command line, round trips through the
# generated stubs, a hostile host, and the front-end fuzzer.
if(NOT TARGET cella-edger8r)
  return()
endif()
set(EDLT ${CMAKE_CURRENT_SOURCE_DIR}/edl)

# Valid corpus: accepted, and the generated code compiles with -Wall -Wextra -Werror under gcc and clang.
file(GLOB CELLA_EDL_VALID CONFIGURE_DEPENDS ${EDLT}/valid/*.edl)
foreach(f ${CELLA_EDL_VALID})
  get_filename_component(n ${f} NAME_WE)
  add_test(NAME edl_valid_${n}
           COMMAND sh ${EDLT}/check_valid.sh $<TARGET_FILE:cella-edger8r> ${f} ${CMAKE_CURRENT_BINARY_DIR}/edl-valid/${n}
                   ${CMAKE_SOURCE_DIR}/include ${CELLA_MUSL_INCLUDE} ${CELLA_ENCLAVE_KHDRS})
  set_tests_properties(edl_valid_${n} PROPERTIES LABELS "unit;edl")
endforeach()

# Invalid corpus: each file refused with its expected file:line:col diagnostic.
add_test(NAME edl_invalid COMMAND sh ${EDLT}/check_invalid.sh $<TARGET_FILE:cella-edger8r> ${EDLT}/invalid
                                   ${CMAKE_CURRENT_BINARY_DIR}/edl-invalid)
set_tests_properties(edl_invalid PROPERTIES LABELS "unit;edl" PASS_REGULAR_EXPRESSION " 0 failed")

# Command-line options (--search-path, --trusted/--untrusted, dirs, --header-only, -D, --preprocess, ...).
add_test(NAME edl_cli COMMAND sh ${EDLT}/cli_test.sh $<TARGET_FILE:cella-edger8r> ${EDLT} ${CMAKE_CURRENT_BINARY_DIR}/edl-cli)
set_tests_properties(edl_cli PROPERTIES LABELS "unit;edl" PASS_REGULAR_EXPRESSION "cli test: PASS")

# Run-time round trips and the hostile host, through cella_edl() exactly as applications use it.
set(EI ${CMAKE_CURRENT_SOURCE_DIR}/integration/edl)
cella_edl(TARGET edltest EDL ${EI}/edltest.edl)
cella_add_enclave(test_edl_enclave SOURCES ${EI}/enclave.c ${edltest_TRUSTED_SOURCES} HEAP_PAGES 1024 STACK_PAGES 16
                  TCS 2 DEBUG LIBS edltest_edl_t)
target_include_directories(test_edl_enclave PRIVATE ${EI})
foreach(t roundtrip hostile)
  if(t STREQUAL roundtrip)
    set(src ${EI}/host.c)
  else()
    set(src ${EI}/hostile.c)
  endif()
  cella_unit_test(edl_${t}_test SOURCES ${src} ${EI}/ocalls.c ${edltest_UNTRUSTED_SOURCES}
                  LIBS cella_host_static edltest_edl_u Threads::Threads LABELS "integration;edl"
                  ARGS $<TARGET_FILE:test_edl_enclave>)
  target_include_directories(edl_${t}_test PRIVATE ${EI})
  add_dependencies(edl_${t}_test test_edl_enclave)
endforeach()
set_tests_properties(edl_roundtrip_test PROPERTIES PASS_REGULAR_EXPRESSION "PASS no-leak")
set_tests_properties(edl_hostile_test PROPERTIES PASS_REGULAR_EXPRESSION "PASS iago")

# libFuzzer over the front end (lexer, preprocessor, parser, checks), 60 s, built with clang by the script.
add_test(NAME edl_fuzz COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/edl/run_fuzz.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR} 60)
set_tests_properties(edl_fuzz PROPERTIES LABELS fuzz TIMEOUT 300 SKIP_RETURN_CODE 77)
