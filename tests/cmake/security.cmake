# SPDX-License-Identifier: MIT
# The hostile-host suite (label: security): one ctest per checklist item of reference/security.md §5.
set(S ${CMAKE_CURRENT_SOURCE_DIR}/security)
cella_add_enclave(test_security_enclave SOURCES ${S}/enclave.c TCS 2 DEBUG)
cella_add_enclave(test_security_enclave_nolimit SOURCES ${S}/enclave.c TCS 2 DEBUG)
target_compile_definitions(test_security_enclave_nolimit PRIVATE CELLA_TEST_NO_LIMIT)
foreach(t test_security_enclave test_security_enclave_nolimit)
  target_include_directories(${t} PRIVATE ${S})
endforeach()
add_executable(security_test ${S}/security_test.c ${S}/hostile.c ${S}/sentinels.S)
cella_host_target(security_test)
target_include_directories(security_test PRIVATE ${S} ${CMAKE_SOURCE_DIR}/src/host)
target_link_libraries(security_test PRIVATE cella_testlib cella_host_static)
add_dependencies(security_test test_security_enclave test_security_enclave_nolimit)
foreach(item A1-A4 A5 A6 A7 A8 A9 A10 B1 B2 B3 C1-C4 C3-stream C6 C7 E1 E2 F1-F4 F2 F6 G2 G3 H1-H3)
  add_test(NAME security_${item} COMMAND security_test ${item} $<TARGET_FILE:test_security_enclave>
           $<TARGET_FILE:test_security_enclave_nolimit>)
  set_tests_properties(security_${item} PROPERTIES LABELS "security" SKIP_RETURN_CODE 77)
endforeach()
