# SPDX-License-Identifier: MIT
# Sandbox backend integration tests (label: integration).
set(B ${CMAKE_CURRENT_SOURCE_DIR}/integration/basic)
cella_add_enclave(test_basic_enclave SOURCES ${B}/enclave.c HEAP_PAGES 1024 STACK_PAGES 16 TCS 2 DEBUG)
target_include_directories(test_basic_enclave PRIVATE ${B})
# The same enclave with a constructor that starts a thread beyond its TCS (sandbox_rogue_thread).
cella_add_enclave(test_rogue_enclave SOURCES ${B}/enclave.c ${B}/rogue.c HEAP_PAGES 1024 STACK_PAGES 16 TCS 2 DEBUG)
target_include_directories(test_rogue_enclave PRIVATE ${B})
# The same enclave with a 256 KiB stack per TCS: exception handlers with large frames (sandbox_handler_stack).
cella_add_enclave(test_bigstack_enclave SOURCES ${B}/enclave.c HEAP_PAGES 1024 STACK_PAGES 64 TCS 1 DEBUG)
target_include_directories(test_bigstack_enclave PRIVATE ${B})

cella_unit_test(sandbox_test SOURCES ${B}/sandbox_test.c LIBS cella_host_static LABELS integration
                ARGS calls $<TARGET_FILE:test_basic_enclave>)
add_dependencies(sandbox_test test_basic_enclave test_rogue_enclave test_bigstack_enclave)
add_test(NAME sandbox_rogue_thread COMMAND sandbox_test rogue_thread $<TARGET_FILE:test_rogue_enclave>)
set_tests_properties(sandbox_rogue_thread PROPERTIES LABELS integration)
add_test(NAME sandbox_handler_stack COMMAND sandbox_test handler_stack $<TARGET_FILE:test_basic_enclave>
         $<TARGET_FILE:test_bigstack_enclave>)
set_tests_properties(sandbox_handler_stack PROPERTIES LABELS integration)
target_include_directories(sandbox_test PRIVATE ${CMAKE_SOURCE_DIR}/src/common ${CMAKE_SOURCE_DIR}/src/host
                           ${CMAKE_SOURCE_DIR}/src/host/sgx)
foreach(c ocalls concurrent threads pingpong futex settings exception abort null stack exit heap sleep confine cleanup
          memread terminate_inflight call_thread forked hostile_window nest_big environment futex_ops host_signals flood
          fpenv platform_down x32_syscall enclave_fds tf_step syscall_m1)
  add_test(NAME sandbox_${c} COMMAND sandbox_test ${c} $<TARGET_FILE:test_basic_enclave> ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(sandbox_${c} PROPERTIES LABELS integration)
endforeach()
# A monitor that blocked on the flooding enclave would hang the call for good: fail in bounded time instead.
set_tests_properties(sandbox_flood PROPERTIES TIMEOUT 120)
set_tests_properties(sandbox_enclave_fds PROPERTIES SKIP_RETURN_CODE 77) # root only
# These fail by their own alarm() after 60 s where a call would hang.
set_tests_properties(sandbox_platform_down sandbox_x32_syscall PROPERTIES TIMEOUT 120)
# The host's built-in time ocall with the clock ids an enclave may send it (src/host/calls.c).
cella_unit_test(calls_test SOURCES unit/calls_test.c LIBS cella_host_static)
target_include_directories(calls_test PRIVATE ${CMAKE_SOURCE_DIR}/src/common ${CMAKE_SOURCE_DIR}/src/host)
# With RLIMIT_STACK unlimited, as `ulimit -s unlimited` leaves it, the enclave cannot grow the stack its process
# inherited from the monitor either (if the hard limit forbids unlimited, the soft one as it is will do).
add_test(NAME sandbox_stack_limit COMMAND sh -c "ulimit -s unlimited 2>/dev/null; exec \"$@\"" sh
         $<TARGET_FILE:sandbox_test> stack_limit $<TARGET_FILE:test_basic_enclave>)
set_tests_properties(sandbox_stack_limit PROPERTIES LABELS integration SKIP_RETURN_CODE 77)
# and with a small one, enclaves still start (the loader used to touch 256 KiB of stack first: SIGSEGV)
add_test(NAME sandbox_small_stack COMMAND sh -c "ulimit -s 256 && exec \"$@\"" sh
         $<TARGET_FILE:sandbox_test> ocalls $<TARGET_FILE:test_basic_enclave>)
set_tests_properties(sandbox_small_stack PROPERTIES LABELS integration)
# A setuid copy of sandbox_test, run as uid 65534 with that user's CELLA_BACKEND and CELLA_MONITOR (root only).
add_test(NAME sandbox_secure_env
         COMMAND sh ${CMAKE_SOURCE_DIR}/tests/expect_output.sh "^PASS a setuid program ignores"
                 ${CMAKE_CURRENT_SOURCE_DIR}/integration/basic/secure-env.sh $<TARGET_FILE:sandbox_test>
                 $<TARGET_FILE:cella-monitor> $<TARGET_FILE:test_basic_enclave>)
set_tests_properties(sandbox_secure_env PROPERTIES LABELS integration SKIP_RETURN_CODE 77)
# The window's placement between host and monitor, from a fake host (src/host/proto.h, CELLA_WINDOW_ROUNDS).
cella_unit_test(monitor_window_test SOURCES ${B}/monitor_window_test.c LIBS cella_host_static LABELS integration
                ARGS $<TARGET_FILE:cella-monitor> $<TARGET_FILE:test_basic_enclave>)
add_dependencies(monitor_window_test test_basic_enclave)
target_include_directories(monitor_window_test PRIVATE ${CMAKE_SOURCE_DIR}/src/common ${CMAKE_SOURCE_DIR}/src/host)
# Without address-space randomisation (as under gdb) the host and the monitor lay out their memory alike.
add_test(NAME sandbox_no_aslr COMMAND sh ${CMAKE_SOURCE_DIR}/tests/expect_output.sh "^PASS calls$" ${CMAKE_CURRENT_SOURCE_DIR}/integration/basic/no-aslr.sh
         $<TARGET_FILE:sandbox_test> calls $<TARGET_FILE:test_basic_enclave>)
set_tests_properties(sandbox_no_aslr PROPERTIES LABELS integration SKIP_RETURN_CODE 77)
# The same read attempt from an unprivileged user must fail (root can always read; see docs/sandbox.md).
add_test(NAME sandbox_memread_unprivileged
         COMMAND sh ${CMAKE_SOURCE_DIR}/tests/expect_output.sh "^PASS memread-unprivileged-cannot$"
                 ${CMAKE_CURRENT_SOURCE_DIR}/integration/basic/as-nobody.sh $<TARGET_FILE:sandbox_test> memread
                 $<TARGET_FILE:test_basic_enclave>)
set_tests_properties(sandbox_memread_unprivileged PROPERTIES LABELS integration SKIP_RETURN_CODE 77)

add_executable(nonpie_fixture ${B}/nonpie.c)
target_link_options(nonpie_fixture PRIVATE -static) # -static alone links a non-PIE executable (-static-pie would not)
target_compile_options(nonpie_fixture PRIVATE -fno-pie)
cella_unit_test(badimage_test SOURCES ${B}/badimage_test.c LIBS cella_host_static LABELS integration
                ARGS $<TARGET_FILE:test_basic_enclave> $<TARGET_FILE:nonpie_fixture> ${CMAKE_CURRENT_BINARY_DIR})
add_dependencies(badimage_test test_basic_enclave nonpie_fixture)

# libFuzzer over the image parser, layout, measurement and EINIT rules, seeded with those two images, 60 s
add_test(NAME image_fuzz COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/image/run_fuzz.sh ${CMAKE_SOURCE_DIR}
                                    ${CMAKE_BINARY_DIR} 60 $<TARGET_FILE:test_basic_enclave>
                                    $<TARGET_FILE:nonpie_fixture>)
set_tests_properties(image_fuzz PROPERTIES LABELS fuzz TIMEOUT 300)

# The installed SDK builds and runs helloworld out of tree (not in sanitizer builds: the installed libraries
# would need the sanitizer runtime in the out-of-tree link too).
if(NOT CELLA_SANITIZE)
add_test(NAME install_out_of_tree COMMAND sh ${CMAKE_SOURCE_DIR}/tests/expect_output.sh "^install test: PASS$" ${CMAKE_CURRENT_SOURCE_DIR}/install/install_test.sh ${CMAKE_BINARY_DIR}
         ${CMAKE_SOURCE_DIR})
set_tests_properties(install_out_of_tree PROPERTIES LABELS integration)
endif()

# The enclave build itself refuses unresolved symbols, text relocations and non-RELATIVE relocations.
if(TARGET cella-sign)
  add_test(NAME enclave_build_fails_clearly
           COMMAND sh ${CMAKE_SOURCE_DIR}/tests/expect_output.sh "(^| )0 failed$" ${CMAKE_CURRENT_SOURCE_DIR}/buildfail/build_fail_test.sh ${CMAKE_SOURCE_DIR}
                   $<TARGET_FILE:cella_enclave> $<TARGET_FILE:cella-sign> ${CMAKE_C_COMPILER})
  set_tests_properties(enclave_build_fails_clearly PROPERTIES LABELS integration)
endif()

# Reproducible measurement: two builds of the same sources, and one with a one-byte code change.
set(M ${CMAKE_CURRENT_SOURCE_DIR}/integration/measure)
cella_add_enclave(test_measure_a SOURCES ${M}/enclave.c TCS 1 DEBUG)
cella_add_enclave(test_measure_a2 SOURCES ${M}/enclave.c TCS 1 DEBUG)
cella_add_enclave(test_measure_b SOURCES ${M}/enclave.c TCS 1 DEBUG)
target_compile_definitions(test_measure_b PRIVATE CELLA_TEST_VARIANT)
# the same code without debug information: section headers move, MRENCLAVE must not
cella_add_enclave(test_measure_nodebug SOURCES ${M}/enclave.c TCS 1 DEBUG)
target_compile_options(test_measure_nodebug PRIVATE -g0)
cella_unit_test(measure_integration_test SOURCES ${M}/measure_test.c LIBS cella_host_static LABELS integration
                ARGS $<TARGET_FILE:test_measure_a> $<TARGET_FILE:test_measure_a2> $<TARGET_FILE:test_measure_b>
                     $<TARGET_FILE:test_measure_nodebug>)
add_dependencies(measure_integration_test test_measure_a test_measure_a2 test_measure_b test_measure_nodebug)
# The software platform's state directory and secret: created once, refused when they could be someone else's.
cella_unit_test(platform_test SOURCES unit/platform_test.c ${CMAKE_SOURCE_DIR}/src/host/monitor/platform.c
                LIBS cella_host_static OpenSSL::Crypto ARGS ${CMAKE_CURRENT_BINARY_DIR})
target_include_directories(platform_test PRIVATE ${CMAKE_SOURCE_DIR}/src/host/monitor ${CMAKE_SOURCE_DIR}/src/common)
