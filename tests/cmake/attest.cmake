# SPDX-License-Identifier: MIT
# The DCAP vectors (this file is read before verify.cmake, which uses the same cache entry).
set(CELLA_VECTORS_DIR "${CMAKE_SOURCE_DIR}/../shared/vectors/dcap" CACHE PATH
    "DCAP test vectors (<name>/quote.bin, collateral.json, expected.json)")

# The evidence verification API, host library and in-enclave (label: integration).
if(TARGET cella_attest AND TARGET cella_attest_enclave)
  set(A ${CMAKE_CURRENT_SOURCE_DIR}/integration/attest)
  cella_add_enclave(test_attest_a SOURCES ${A}/enclave.c TCS 1 SECURITY_VERSION 3 PRODUCT_ID 7 DEBUG
                    LIBS cella_attest_enclave)
  cella_add_enclave(test_attest_verifier SOURCES ${A}/enclave.c HEAP_PAGES 1024 TCS 1 SECURITY_VERSION 1 PRODUCT_ID 9
                    DEBUG LIBS cella_attest_enclave)
  target_compile_definitions(test_attest_verifier PRIVATE CELLA_TEST_VARIANT=2)
  foreach(t test_attest_a test_attest_verifier)
    target_include_directories(${t} PRIVATE ${A})
  endforeach()
  cella_unit_test(attest_test SOURCES ${A}/attest_test.c LIBS cella_host cella_attest OpenSSL::Crypto
                  LABELS integration
                  ARGS $<TARGET_FILE:test_attest_a> $<TARGET_FILE:test_attest_verifier>
                  ENV CELLA_PLATFORM_DIR=${CMAKE_CURRENT_BINARY_DIR}/platform-attest)
  target_include_directories(attest_test PRIVATE ${A})
  add_dependencies(attest_test test_attest_a test_attest_verifier)
endif()

# cella-tls-client against the attested-tls sample on the sandbox backend: pinning, refusals, malformed options
if(TARGET cella-tls-client AND TARGET attested-tls_host)
  add_test(NAME tls_client_cli
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/integration/tls/client_cli_test.sh $<TARGET_FILE:cella-tls-client>
                   $<TARGET_FILE:attested-tls_host> $<TARGET_FILE:attested-tls_enclave> ${CMAKE_CURRENT_BINARY_DIR}
                   ${CELLA_VECTORS_DIR}/dcapqvl_sgx_v3/collateral.json)
  set_tests_properties(tls_client_cli PROPERTIES LABELS integration TIMEOUT 120)
endif()

# The attested-certificate parser on the attest fuzzer's seed, and on malformed fields the fuzzer found
if(TARGET cella_attest)
  cella_unit_test(attest_cert_test SOURCES unit/attest_cert_test.c LIBS cella_attest LABELS unit
                  ARGS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/attest/corpus/cert-sandbox
                       ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/attest/root-ca.pem)
  set_tests_properties(attest_cert_test PROPERTIES TIMEOUT 60) # the bug it guards against was a hang
endif()

# cella_verify_evidence on the SGX DCAP vectors with their collateral: TCB status against the policy, time, endorsements,
# Intel's root.
if(TARGET cella_attest)
  # an attested-TLS peer carrying a DCAP quote and in-memory handshakes with it (also for bench/tls)
  add_library(cella_tls_peer STATIC ${CMAKE_CURRENT_SOURCE_DIR}/verify/tls_peer.c)
  cella_host_target(cella_tls_peer)
  target_include_directories(cella_tls_peer PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/verify)
  target_link_libraries(cella_tls_peer PUBLIC cella_attest cella_testlib OpenSSL::SSL OpenSSL::Crypto)
  cella_unit_test(evidence_dcap_test SOURCES unit/evidence_dcap_test.c LIBS cella_attest cella_verify_testutil
                  cella_tls_peer LABELS unit
                  ARGS ${CELLA_VECTORS_DIR} dcapqvl_sgx_v3 automata_quotev3_0825_tcbv3 openenclave_attestation_plugin_2022)
  # the same with the OpenSSL TLS verifier fetching a peer's collateral from a mock PCCS
  add_test(NAME evidence_dcap_tls_fetch
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/verify/tls_fetch_test.sh $<TARGET_FILE:evidence_dcap_test>
                   ${CELLA_VECTORS_DIR} ${CMAKE_CURRENT_BINARY_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/verify
                   dcapqvl_sgx_v3 automata_quotev3_0825_tcbv3)
  set_tests_properties(evidence_dcap_tls_fetch PROPERTIES LABELS unit TIMEOUT 120)
endif()

# The host's socket ocalls for enclave TLS servers: handles, ownership, closing under a blocked call
if(TARGET cella_attest)
  cella_unit_test(tls_host_test SOURCES unit/tls_host_test.c LIBS cella_attest Threads::Threads LABELS unit)
  set_tests_properties(tls_host_test PROPERTIES TIMEOUT 120)
  # the same program on ::1; skipped (77) only on a machine without an IPv6 loopback
  add_test(NAME tls_host_ipv6 COMMAND tls_host_test ipv6)
  set_tests_properties(tls_host_ipv6 PROPERTIES LABELS unit TIMEOUT 60 SKIP_RETURN_CODE 77)
endif()

# libFuzzer over the evidence verifier, with the enclave's back end (BearSSL) and the host's (OpenSSL), 60 s
add_test(NAME attest_fuzz COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/attest/run_fuzz.sh ${CMAKE_SOURCE_DIR}
                                     ${CMAKE_BINARY_DIR} 60)
set_tests_properties(attest_fuzz PROPERTIES LABELS fuzz TIMEOUT 300)
