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
add_test(NAME edl_invalid COMMAND sh ${CMAKE_SOURCE_DIR}/tests/expect_output.sh " 0 failed$" sh ${EDLT}/check_invalid.sh $<TARGET_FILE:cella-edger8r> ${EDLT}/invalid
                                   ${CMAKE_CURRENT_BINARY_DIR}/edl-invalid)
set_tests_properties(edl_invalid PROPERTIES LABELS "unit;edl")

# Compile-failure corpus: typedefs the checks cannot see through; the generated code must not compile.
add_test(NAME edl_compile_fail COMMAND sh ${CMAKE_SOURCE_DIR}/tests/expect_output.sh " 0 failed$" sh ${EDLT}/check_compile_fail.sh
                                        $<TARGET_FILE:cella-edger8r> ${EDLT}/compile_fail ${CMAKE_CURRENT_BINARY_DIR}/edl-compile-fail
                                        ${CMAKE_SOURCE_DIR}/include ${CELLA_MUSL_INCLUDE} ${CELLA_ENCLAVE_KHDRS})
set_tests_properties(edl_compile_fail PROPERTIES LABELS "unit;edl")

# Command-line options (--search-path, --trusted/--untrusted, dirs, --header-only, -D, --preprocess, ...).
add_test(NAME edl_cli COMMAND sh ${CMAKE_SOURCE_DIR}/tests/expect_output.sh "^cli test: PASS$" sh ${EDLT}/cli_test.sh $<TARGET_FILE:cella-edger8r> ${EDLT} ${CMAKE_CURRENT_BINARY_DIR}/edl-cli)
set_tests_properties(edl_cli PROPERTIES LABELS "unit;edl")

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

# libFuzzer over the front end (lexer, preprocessor, parser, checks), 60 s, built with clang by the script.
add_test(NAME edl_fuzz COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/edl/run_fuzz.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR} 60)
set_tests_properties(edl_fuzz PROPERTIES LABELS fuzz TIMEOUT 300)

# Security checklist I2 (static): in every generated trusted bridge, host-provided bytes are read only after
# their range checks and an lfence, and used only after the last barrier; the script also feeds mutated copies of
# the generated code to its checker and requires each to be refused (tests/edl/static/i2_check.py).
find_package(Python3 COMPONENTS Interpreter REQUIRED) # scripts/install-deps.sh installs python3
if(Python3_Interpreter_FOUND)
  file(GLOB CELLA_EDL_I2_CORPUS CONFIGURE_DEPENDS ${EDLT}/valid/*.edl)
  add_test(NAME edl_static_i2
           COMMAND sh ${CMAKE_SOURCE_DIR}/tests/expect_output.sh "i2 static test: [0-9]+ ecall bridges, [0-9]+ ocall callers: PASS"
                   ${Python3_EXECUTABLE} ${EDLT}/static/i2_check.py --search-path=${EDLT}/lib
                   $<TARGET_FILE:cella-edger8r> ${CMAKE_CURRENT_BINARY_DIR}/edl-static-i2 ${CELLA_EDL_I2_CORPUS}
                   ${CMAKE_CURRENT_SOURCE_DIR}/integration/edl/edltest.edl)
  set_tests_properties(edl_static_i2 PROPERTIES LABELS "security;unit;edl")
endif()

# Security checklist G4 (instrumented): the runtime again, built with CELLA_RT_BOUNDARY_STATS (calls.c counts the
# copies of its boundary-copy primitive) and with memcpy/memmove/memset as real calls, and an enclave linked with
# --wrap for the three, whose wrappers count every call that touches memory outside the enclave. The host drives
# every parameter kind both ways, then requires no such call, many boundary copies, and that raw copies made on
# purpose are seen (tests/edl/static/g4_*.c).
set(g4_nobuiltin -fno-builtin-memcpy -fno-builtin-memmove -fno-builtin-memset
    $<$<C_COMPILER_ID:GNU>:-fno-tree-loop-distribute-patterns>)
cella_enclave_runtime_variant(cella_enclave_g4 DEFINITIONS CELLA_RT_BOUNDARY_STATS OPTIONS ${g4_nobuiltin})
cella_edl(TARGET g4 EDL ${EDLT}/static/g4.edl)
set(CELLA_ENCLAVE_RUNTIME cella_enclave_g4) # this enclave only; the cache value is visible again below
cella_add_enclave(test_edl_g4_enclave SOURCES ${EDLT}/static/g4_enclave.c ${g4_TRUSTED_SOURCES} HEAP_PAGES 1024
                  STACK_PAGES 16 TCS 2 DEBUG LIBS g4_edl_t)
unset(CELLA_ENCLAVE_RUNTIME)
target_compile_options(test_edl_g4_enclave PRIVATE ${g4_nobuiltin})
target_link_options(test_edl_g4_enclave PRIVATE -Wl,--wrap=memcpy,--wrap=memmove,--wrap=memset)
cella_unit_test(edl_static_g4_test SOURCES ${EDLT}/static/g4_host.c ${g4_UNTRUSTED_SOURCES}
                LIBS cella_host_static g4_edl_u Threads::Threads LABELS "security;integration;edl"
                ARGS $<TARGET_FILE:test_edl_g4_enclave>)
add_dependencies(edl_static_g4_test test_edl_g4_enclave)
