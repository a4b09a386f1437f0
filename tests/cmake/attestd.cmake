# SPDX-License-Identifier: MIT
# Tests of services/attestd (included by tests/CMakeLists.txt).
if(NOT TARGET cella-attestd)
  return()
endif()
if(NOT DEFINED CELLA_VECTORS_DIR)
  set(CELLA_VECTORS_DIR "${CMAKE_SOURCE_DIR}/../shared/vectors/dcap" CACHE PATH "DCAP test vectors")
endif()
set(AT ${CMAKE_SOURCE_DIR}/tests/attestd)
set(AU ${CMAKE_SOURCE_DIR}/tests/unit)

cella_unit_test(attestd_policy_test SOURCES ${AU}/attestd_policy_test.c LIBS cella_attestd_core ARGS ${CELLA_VECTORS_DIR})
cella_unit_test(attestd_jws_test SOURCES ${AU}/attestd_jws_test.c LIBS cella_attestd_core)
cella_unit_test(attestd_store_test SOURCES ${AU}/attestd_store_test.c LIBS cella_attestd_core
                ARGS ${CMAKE_CURRENT_BINARY_DIR})

# The service end to end on loopback (python3 standard library + the openssl command)
add_test(NAME attestd_service
         COMMAND python3 ${AT}/service_test.py $<TARGET_FILE:cella-attestd> ${CELLA_VECTORS_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/attestd-service)
set_tests_properties(attestd_service PROPERTIES LABELS integration TIMEOUT 300)
# The service listening on ::1: skipped (77) only on a machine without an IPv6 loopback
add_test(NAME attestd_service_ipv6
         COMMAND python3 ${AT}/service_test.py $<TARGET_FILE:cella-attestd> ${CELLA_VECTORS_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/attestd-service-ipv6 ipv6)
set_tests_properties(attestd_service_ipv6 PROPERTIES LABELS integration TIMEOUT 60 SKIP_RETURN_CODE 77)

# The front end's handling of connections: hang-ups, limits, descriptors, slow requests, half-close, shutdown
add_test(NAME attestd_front
         COMMAND python3 ${AT}/front_test.py $<TARGET_FILE:cella-attestd> ${CELLA_VECTORS_DIR}
                 ${CMAKE_CURRENT_BINARY_DIR}/attestd-front)
set_tests_properties(attestd_front PROPERTIES LABELS integration TIMEOUT 300)

# The official Azure Attestation JS client (npm @azure/attestation under ${CMAKE_BINARY_DIR}/npm-attestd)
add_test(NAME attestd_azure_client
         COMMAND sh ${AT}/client_test.sh $<TARGET_FILE:cella-attestd> ${CELLA_VECTORS_DIR} ${CMAKE_BINARY_DIR} ${AT})
set_tests_properties(attestd_azure_client PROPERTIES LABELS "integration;npm" TIMEOUT 400 SKIP_RETURN_CODE 77
                     RESOURCE_LOCK cella_npm)

# libFuzzer over the request, policy, JWS, base64 and configuration parsers, 60 s
add_test(NAME attestd_fuzz COMMAND sh ${AT}/run_fuzz.sh ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR} 60)
set_tests_properties(attestd_fuzz PROPERTIES LABELS fuzz TIMEOUT 300)

# Software-TEE evidence from the attestation-service sample (sandbox backend) through /attest/CellaEnclave
if(TARGET attestation_service_host)
  add_test(NAME attestd_sample
           COMMAND sh ${AT}/sample_test.sh $<TARGET_FILE:cella-attestd> $<TARGET_FILE:attestation_service_host>
                   $<TARGET_FILE:attestation_service_enclave> ${CMAKE_CURRENT_BINARY_DIR}/attestd-sample)
  set_tests_properties(attestd_sample PROPERTIES LABELS integration TIMEOUT 120)
endif()
