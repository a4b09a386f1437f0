# SPDX-License-Identifier: MIT
# valgrind memcheck over the host side of the integration tests (label: valgrind). The enclave and monitor are
# other processes (valgrind does not follow them); what is checked is the host library and the test hosts.
find_program(CELLA_VALGRIND valgrind)
if(NOT CELLA_VALGRIND AND NOT CELLA_SANITIZE)
  # scripts/install-deps.sh installs valgrind: without it the checks fail, in one test naming the tool, rather than
  # disappear
  add_test(NAME valgrind_installed
           COMMAND sh -c "echo 'FAIL: valgrind is not installed (scripts/install-deps.sh installs it)'; exit 1")
  set_tests_properties(valgrind_installed PROPERTIES LABELS valgrind)
endif()
if(CELLA_VALGRIND AND NOT CELLA_SANITIZE)
  set(VG ${CELLA_VALGRIND} -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
      --show-leak-kinds=definite)
  foreach(c calls ocalls concurrent abort null stack heap confine cleanup terminate_inflight hostile_window nest_big)
    add_test(NAME valgrind_sandbox_${c} COMMAND ${VG} $<TARGET_FILE:sandbox_test> ${c}
             $<TARGET_FILE:test_basic_enclave> ${CMAKE_CURRENT_BINARY_DIR})
    set_tests_properties(valgrind_sandbox_${c} PROPERTIES LABELS valgrind)
  endforeach()
  add_test(NAME valgrind_badimage COMMAND ${VG} $<TARGET_FILE:badimage_test> $<TARGET_FILE:test_basic_enclave>
           $<TARGET_FILE:nonpie_fixture> ${CMAKE_CURRENT_BINARY_DIR})
  add_test(NAME valgrind_identity COMMAND ${VG} $<TARGET_FILE:identity_test> $<TARGET_FILE:test_identity_a>
           $<TARGET_FILE:test_identity_b>)
  set_tests_properties(valgrind_badimage valgrind_identity PROPERTIES LABELS valgrind)
  set_tests_properties(valgrind_identity PROPERTIES
                       ENVIRONMENT CELLA_PLATFORM_DIR=${CMAKE_CURRENT_BINARY_DIR}/platform-identity)
endif()
