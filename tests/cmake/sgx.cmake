# SPDX-License-Identifier: MIT
# SGX backend tests. Everything that does not execute ENCLU runs here without SGX hardware; the tests that need
# /dev/sgx_enclave exit 77 (skipped) without it and carry the sgx-hw label.
set(CELLA_SGX_TEST_INCLUDES ${CMAKE_SOURCE_DIR}/src/host/sgx ${CMAKE_SOURCE_DIR}/src/enclave/sgx
    ${CMAKE_SOURCE_DIR}/src/common)
function(cella_sgx_test name)
  cella_unit_test(${name} ${ARGN})
  target_include_directories(${name} PRIVATE ${CELLA_SGX_TEST_INCLUDES})
endfunction()

cella_sgx_test(sgx_arch_test SOURCES unit/sgx_arch_test.c LIBS cella_host_static cella_sign_testelf)
cella_sgx_test(sgx_uapi_test SOURCES unit/sgx_uapi_test.c)
cella_sgx_test(sgx_vdso_test SOURCES unit/sgx_vdso_test.c LIBS cella_host_static)
# The enclave side's decisions (SmashEx checks, redirect, SYSCALL emulation), compiled for the host.
cella_sgx_test(sgx_rt_test SOURCES unit/sgx_rt_test.c ${CMAKE_SOURCE_DIR}/src/enclave/sgx/sgx_logic.c
               LIBS cella_common)

# A stand-in for Intel's DCAP libraries, to drive the quote path's success and status handling.
add_library(cella_sgx_fake_dcap SHARED unit/sgx_fake_dcap.c)
set_target_properties(cella_sgx_fake_dcap PROPERTIES OUTPUT_NAME sgx_fake_dcap
                      LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/sgx-fake)
cella_sgx_test(sgx_quote_test SKIPPABLE SOURCES unit/sgx_quote_test.c LIBS cella_host_static
               ARGS $<TARGET_FILE:cella_sgx_fake_dcap> ${CMAKE_CURRENT_BINARY_DIR})
add_dependencies(sgx_quote_test cella_sgx_fake_dcap)

if(NOT CELLA_DEV_AREA)
  # Dry-run load of every sample image through the recorder: the recorded ECREATE/EADD/EEXTEND stream must
  # hash to what the sandbox backend reports for the same image.
  set(_imgs $<TARGET_FILE:helloworld_enclave> $<TARGET_FILE:test_basic_enclave> $<TARGET_FILE:bench_calls_enclave>)
  cella_sgx_test(sgx_load_test SOURCES unit/sgx_load_test.c LIBS cella_host_static
                 LABELS unit integration ARGS ${_imgs})
  add_dependencies(sgx_load_test helloworld_enclave test_basic_enclave bench_calls_enclave)
  cella_sgx_test(sgx_backend_test SOURCES unit/sgx_backend_test.c LIBS cella_host_static
                 LABELS unit integration ARGS $<TARGET_FILE:helloworld_enclave> ${CMAKE_CURRENT_BINARY_DIR})
  add_dependencies(sgx_backend_test helloworld_enclave)
  # The SGX world run for real on a software stand-in for the hardware (tests/sgxsim): the sandbox cases that
  # do not depend on the sandbox's process model, through the SGX backend, the entry code and the runtime's
  # SGX paths. Skipped (77) without user-mode FSGSBASE.
  # EREPORT and EGETKEY answer from the sandbox's software platform (the monitor's platform.c).
  add_library(cella_sgxsim STATIC sgxsim/sgxsim.c sgxsim/sgxsim_entry.S ${CMAKE_SOURCE_DIR}/src/host/monitor/platform.c)
  cella_host_target(cella_sgxsim)
  target_include_directories(cella_sgxsim PRIVATE ${CELLA_SGX_TEST_INCLUDES} ${CMAKE_SOURCE_DIR}/src/host/monitor)
  target_link_libraries(cella_sgxsim PRIVATE cella_host_static OpenSSL::Crypto)
  cella_sgx_test(sgxsim_test SKIPPABLE SOURCES integration/basic/sandbox_test.c LIBS cella_sgxsim cella_host_static
                 LABELS integration ARGS calls $<TARGET_FILE:test_basic_enclave>)
  target_compile_definitions(sgxsim_test PRIVATE CELLA_TEST_SGXSIM)
  target_include_directories(sgxsim_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/sgxsim
                             ${CMAKE_CURRENT_SOURCE_DIR}/integration/basic ${CMAKE_SOURCE_DIR}/src/host)
  add_dependencies(sgxsim_test test_basic_enclave test_bigstack_enclave)
  foreach(c ocalls concurrent threads pingpong exception smashex fake_exception host_sp boot_race exception_replay abort
           null exit heap sleep stack nest_big terminate_inflight
           call_thread forked fpenv)
    add_test(NAME sgxsim_${c} COMMAND sgxsim_test ${c} $<TARGET_FILE:test_basic_enclave>)
    set_tests_properties(sgxsim_${c} PROPERTIES LABELS integration SKIP_RETURN_CODE 77)
  endforeach()
  add_test(NAME sgxsim_handler_stack COMMAND sgxsim_test handler_stack $<TARGET_FILE:test_basic_enclave>
           $<TARGET_FILE:test_bigstack_enclave>)
  set_tests_properties(sgxsim_handler_stack PROPERTIES LABELS integration SKIP_RETURN_CODE 77)
  # A hostile loader fills the heap pages, which are added unmeasured: the heap must still hand out zeroed memory.
  add_test(NAME sgxsim_dirty_heap COMMAND sgxsim_test heap $<TARGET_FILE:test_basic_enclave>)
  set_tests_properties(sgxsim_dirty_heap PROPERTIES LABELS integration SKIP_RETURN_CODE 77
                       ENVIRONMENT SGXSIM_DIRTY_UNMEASURED=1)
  # The same programs on real SGX hardware (label sgx-hw; skipped here): CELLA_SGX_HW=1 bypasses the stand-in.
  foreach(c calls ocalls concurrent threads pingpong exception abort null exit heap stack fpenv)
    add_test(NAME sgxhw_${c} COMMAND sgxsim_test ${c} $<TARGET_FILE:test_basic_enclave>)
    set_tests_properties(sgxhw_${c} PROPERTIES LABELS "integration;sgx-hw" SKIP_RETURN_CODE 77
                         ENVIRONMENT CELLA_SGX_HW=1)
  endforeach()
  # Whole test programs on the stand-in: linked with sgxsim_auto.c, they run on it under CELLA_SGXSIM=1.
  add_library(cella_sgxsim_auto OBJECT sgxsim/sgxsim_auto.c)
  cella_host_target(cella_sgxsim_auto)
  # cella_sgxsim_program(<name> <source> [LIBS ...] [ARGS ...] [DEPENDS ...] [INCLUDES ...]): each with its own
  # software platform directory.
  function(cella_sgxsim_program name source)
    cmake_parse_arguments(P "" "" "LIBS;ARGS;DEPENDS;INCLUDES" ${ARGN})
    cella_sgx_test(${name} SKIPPABLE SOURCES ${source} $<TARGET_OBJECTS:cella_sgxsim_auto>
                   LIBS cella_sgxsim cella_host_static ${P_LIBS} LABELS integration ARGS ${P_ARGS}
                   ENV CELLA_SGXSIM=1 CELLA_BACKEND=sgx CELLA_PLATFORM_DIR=${CMAKE_CURRENT_BINARY_DIR}/platform-${name})
    target_include_directories(${name} PRIVATE ${P_INCLUDES})
    string(REPLACE "sgxsim_" "sgxhw_" hw ${name})
    add_test(NAME ${hw} COMMAND ${name} ${P_ARGS})
    set_tests_properties(${hw} PROPERTIES LABELS "integration;sgx-hw" SKIP_RETURN_CODE 77 ENVIRONMENT
                         "CELLA_SGXSIM=1;CELLA_SGX_HW=1;CELLA_BACKEND=sgx;CELLA_PLATFORM_DIR=${CMAKE_CURRENT_BINARY_DIR}/platform-${hw}")
    if(P_DEPENDS)
      add_dependencies(${name} ${P_DEPENDS})
    endif()
  endfunction()
  # Registered once every test area has been read: the programs come from areas listed after this one.
  cmake_language(DEFER CALL cella_sgxsim_programs)
  # Real hardware: skipped (77) without /dev/sgx_enclave.
  cella_sgx_test(sgx_hw_test SKIPPABLE SOURCES unit/sgx_hw_test.c LIBS cella_host_static
                 LABELS integration sgx-hw ARGS $<TARGET_FILE:helloworld_enclave>)
  add_dependencies(sgx_hw_test helloworld_enclave)
  if(TARGET cella-info)
    add_test(NAME sgx_info_cli COMMAND sh ${CMAKE_SOURCE_DIR}/tests/expect_output.sh "backend: (sandbox|sgx) \\(" $<TARGET_FILE:cella-info>)
    set_tests_properties(sgx_info_cli PROPERTIES LABELS unit)
    add_test(NAME sgx_info_dryrun COMMAND sh ${CMAKE_SOURCE_DIR}/tests/expect_output.sh "MRENCLAVE [0-9a-f]{64}"
                                          $<TARGET_FILE:cella-info> --dry-run $<TARGET_FILE:helloworld_enclave>)
    set_tests_properties(sgx_info_dryrun PROPERTIES LABELS unit)
    add_test(NAME sgx_info_help COMMAND sh ${CMAKE_SOURCE_DIR}/tests/expect_output.sh "^usage: cella-info"
                                       $<TARGET_FILE:cella-info> --help)
    set_tests_properties(sgx_info_help PROPERTIES LABELS unit)
  endif()
endif()

function(cella_sgxsim_programs)
  if(TARGET identity_test)
    set(_id ${CMAKE_CURRENT_SOURCE_DIR}/integration/identity)
    cella_sgxsim_program(sgxsim_identity_test ${_id}/identity_test.c LIBS OpenSSL::Crypto INCLUDES ${_id}
                         ARGS $<TARGET_FILE:test_identity_a> $<TARGET_FILE:test_identity_b>
                         DEPENDS test_identity_a test_identity_b)
  endif()
  if(TARGET onnx_enclave_test)
    set(_oe ${CMAKE_CURRENT_SOURCE_DIR}/integration/onnx)
    cella_sgxsim_program(sgxsim_onnx_enclave_test ${_oe}/onnx_enclave_test.c LIBS cella_onnx
                         INCLUDES ${_oe} ${CMAKE_CURRENT_SOURCE_DIR}/unit ${CMAKE_BINARY_DIR}/src/onnx/gen
                         ARGS $<TARGET_FILE:test_onnx_enclave> ${CELLA_ONNX_TESTDATA}
                         DEPENDS test_onnx_enclave cella_onnx_proto)
  endif()
  if(TARGET edl_roundtrip_test)
    set(_edl ${CMAKE_CURRENT_SOURCE_DIR}/integration/edl)
    cella_sgxsim_program(sgxsim_edl_roundtrip_test ${_edl}/host.c LIBS edltest_edl_u Threads::Threads
                         INCLUDES ${_edl} ARGS $<TARGET_FILE:test_edl_enclave> DEPENDS test_edl_enclave)
    target_sources(sgxsim_edl_roundtrip_test PRIVATE ${_edl}/ocalls.c ${edltest_UNTRUSTED_SOURCES})
  endif()
  if(TARGET tls_test)
    set(_tl ${CMAKE_CURRENT_SOURCE_DIR}/integration/tls)
    cella_sgxsim_program(sgxsim_tls_test ${_tl}/tls_test.c LIBS cella_attest OpenSSL::SSL OpenSSL::Crypto
                         Threads::Threads INCLUDES ${_tl} ARGS $<TARGET_FILE:test_tls_enclave> DEPENDS test_tls_enclave)
    set_tests_properties(sgxsim_tls_test PROPERTIES TIMEOUT 120)
  endif()
  if(TARGET attest_test)
    set(_at ${CMAKE_CURRENT_SOURCE_DIR}/integration/attest)
    cella_sgxsim_program(sgxsim_attest_test ${_at}/attest_test.c LIBS cella_attest OpenSSL::Crypto INCLUDES ${_at}
                         ARGS $<TARGET_FILE:test_attest_a> $<TARGET_FILE:test_attest_verifier>
                         DEPENDS test_attest_a test_attest_verifier)
  endif()
  if(TARGET badimage_test) # the same refusals, and their log lines, from the SGX backend's own image reading
    set(_b ${CMAKE_CURRENT_SOURCE_DIR}/integration/basic)
    cella_sgxsim_program(sgxsim_badimage_test ${_b}/badimage_test.c ARGS $<TARGET_FILE:test_basic_enclave>
                         $<TARGET_FILE:nonpie_fixture> ${CMAKE_CURRENT_BINARY_DIR}
                         DEPENDS test_basic_enclave nonpie_fixture)
  endif()
  if(TARGET seal_test)
    set(_seal ${CMAKE_CURRENT_SOURCE_DIR}/integration/seal)
    cella_sgx_test(sgxsim_seal_test SKIPPABLE SOURCES ${_seal}/seal_test.c LIBS cella_sgxsim cella_host_static LABELS integration
                   ARGS $<TARGET_FILE:test_seal_a> $<TARGET_FILE:test_seal_variant> $<TARGET_FILE:test_seal_svn4>
                        $<TARGET_FILE:test_seal_prod8>
                   ENV CELLA_PLATFORM_DIR=${CMAKE_CURRENT_BINARY_DIR}/platform-sgxsim-seal)
    target_compile_definitions(sgxsim_seal_test PRIVATE CELLA_TEST_SGXSIM)
    target_include_directories(sgxsim_seal_test PRIVATE ${_seal} ${CMAKE_CURRENT_SOURCE_DIR}/sgxsim)
    add_dependencies(sgxsim_seal_test test_seal_a test_seal_variant test_seal_svn4 test_seal_prod8)
    add_test(NAME sgxhw_seal_test COMMAND sgxsim_seal_test $<TARGET_FILE:test_seal_a> $<TARGET_FILE:test_seal_variant>
             $<TARGET_FILE:test_seal_svn4> $<TARGET_FILE:test_seal_prod8>)
    set_tests_properties(sgxhw_seal_test PROPERTIES LABELS "integration;sgx-hw" SKIP_RETURN_CODE 77 ENVIRONMENT
                         "CELLA_SGX_HW=1;CELLA_PLATFORM_DIR=${CMAKE_CURRENT_BINARY_DIR}/platform-sgxhw-seal")
  endif()
endfunction()
