# SPDX-License-Identifier: MIT
# Tests of src/verify and tools/quote (included by tests/CMakeLists.txt).
set(CELLA_VECTORS_DIR "${CMAKE_SOURCE_DIR}/../shared/vectors/dcap" CACHE PATH
    "DCAP test vectors (<name>/quote.bin, collateral.json, expected.json)")
if(NOT EXISTS "${CELLA_VECTORS_DIR}/README.md")
  message(WARNING "CELLA_VECTORS_DIR=${CELLA_VECTORS_DIR} has no DCAP vectors: the verify tests will fail")
endif()
set(CELLA_VERIFY_VECTORS dcapqvl_sgx_v3 automata_quotev3_0825_tcbv3 openenclave_attestation_plugin_2022 dcapqvl_tdx_v4)
set(VT ${CMAKE_SOURCE_DIR}/tests/verify)
set(VU ${CMAKE_SOURCE_DIR}/tests/unit)

add_library(cella_verify_testutil STATIC ${VT}/testutil.c)
cella_host_target(cella_verify_testutil)
target_include_directories(cella_verify_testutil PUBLIC ${VT} ${CMAKE_SOURCE_DIR}/src/verify)
target_link_libraries(cella_verify_testutil PUBLIC cella_testlib cella_verify PkgConfig::JANSSON)

foreach(v ${CELLA_VERIFY_VECTORS})
  cella_unit_test(verify_vectors_${v} SOURCES ${VU}/verify_vectors_test.c LIBS cella_verify_testutil
                  ARGS ${CELLA_VECTORS_DIR} ${v})
endforeach()
foreach(v ${CELLA_VERIFY_VECTORS})
  cella_unit_test(verify_tamper_${v} SOURCES ${VU}/verify_tamper_test.c LIBS cella_verify_testutil
                  ARGS ${CELLA_VECTORS_DIR} ${v})
endforeach()
cella_unit_test(verify_revocation_test SOURCES ${VU}/verify_revocation_test.c LIBS cella_verify_testutil
                ARGS ${CELLA_VECTORS_DIR})
cella_unit_test(verify_quote_test SOURCES ${VU}/verify_quote_test.c LIBS cella_verify_testutil
                ARGS ${CELLA_VECTORS_DIR})
cella_unit_test(verify_fetch_args_test SOURCES ${VU}/verify_fetch_args_test.c LIBS cella_verify_testutil
                ARGS ${CELLA_VECTORS_DIR})
# every curl_easy_setopt of the fetch passes through the test's wrapper, which can refuse any of them
cella_unit_test(verify_fetch_setopt_test SOURCES ${VU}/verify_fetch_setopt_test.c LIBS cella_verify_testutil
                ARGS ${CELLA_VECTORS_DIR})
target_link_options(verify_fetch_setopt_test PRIVATE -Wl,--wrap=curl_easy_setopt)
cella_unit_test(verify_pck_trusted_test SOURCES ${VU}/verify_pck_trusted_test.c LIBS cella_verify_testutil
                ARGS ${CELLA_VECTORS_DIR})
cella_unit_test(verify_cert_test SOURCES ${VU}/verify_cert_test.c LIBS cella_verify_testutil
                ARGS ${CELLA_VECTORS_DIR})
cella_unit_test(verify_keytab_test SOURCES ${VU}/verify_keytab_test.c LIBS cella_verify_testutil)
cella_unit_test(verify_collateral_test SOURCES ${VU}/verify_collateral_test.c LIBS cella_verify_testutil
                ARGS ${CELLA_VECTORS_DIR})
foreach(v dcapqvl_sgx_v3 dcapqvl_tdx_v4)
  cella_unit_test(verify_v5_${v} SOURCES ${VU}/verify_v5_test.c LIBS cella_verify_testutil
                  ARGS ${CELLA_VECTORS_DIR} ${v})
endforeach()
cella_unit_test(verify_errqueue_test SOURCES ${VU}/verify_errqueue_test.c LIBS cella_verify_testutil
                ARGS ${CELLA_VECTORS_DIR})
cella_unit_test(verify_threads_test SOURCES ${VU}/verify_threads_test.c LIBS cella_verify_testutil
                ARGS ${CELLA_VECTORS_DIR} ${CELLA_VERIFY_VECTORS})

# libFuzzer over the parsers, 60 s (built with clang by the script, whatever compiler builds the rest)
add_test(NAME verify_fuzz COMMAND sh ${VT}/run_fuzz.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR} 60)
set_tests_properties(verify_fuzz PROPERTIES LABELS fuzz TIMEOUT 300)

# Differential check against @phala/dcap-qvl from npm (installed into ${CMAKE_BINARY_DIR}/npm)
add_test(NAME verify_dcap_qvl_diff
         COMMAND sh ${VT}/dcap_qvl_diff.sh ${CMAKE_BINARY_DIR} ${CELLA_VECTORS_DIR} $<TARGET_FILE:cella-quote> ${VT})
set_tests_properties(verify_dcap_qvl_diff PROPERTIES LABELS "differential" TIMEOUT 400 SKIP_RETURN_CODE 77
                     RESOURCE_LOCK cella_npm)

# a quote whose QE Identity's evaluation number is below its TCB Info's, under a generated root (for --min-tcb-eval)
add_executable(verify_eval_fixture ${VT}/eval_fixture.c)
cella_host_target(verify_eval_fixture)
target_link_libraries(verify_eval_fixture PRIVATE cella_testlib cella_verify_testutil)
add_test(NAME verify_cli COMMAND sh ${VT}/cli_test.sh $<TARGET_FILE:cella-quote> ${CELLA_VECTORS_DIR}
                                 $<TARGET_FILE:verify_eval_fixture> ${CMAKE_CURRENT_BINARY_DIR}/verify-cli)
set_tests_properties(verify_cli PROPERTIES LABELS unit)
add_test(NAME verify_fetch
         COMMAND sh ${VT}/fetch_test.sh $<TARGET_FILE:cella-quote> ${CELLA_VECTORS_DIR} ${CMAKE_CURRENT_BINARY_DIR} ${VT})
set_tests_properties(verify_fetch PROPERTIES LABELS unit TIMEOUT 120)
