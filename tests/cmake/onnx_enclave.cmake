# SPDX-License-Identifier: MIT
# The ONNX engine inside an enclave on the sandbox backend, bit-identical to the host build (label: integration).
if(TARGET cella_onnx_musl)
  set(OE ${CMAKE_CURRENT_SOURCE_DIR}/integration/onnx)
  cella_add_enclave(test_onnx_enclave SOURCES ${OE}/enclave.c HEAP_PAGES 16384 STACK_PAGES 64 TCS 1 DEBUG
                    LIBS cella_onnx_musl)
  cella_unit_test(onnx_enclave_test SOURCES ${OE}/onnx_enclave_test.c LIBS cella_host_static cella_onnx
                  LABELS integration ARGS $<TARGET_FILE:test_onnx_enclave> ${CELLA_ONNX_TESTDATA})
  target_include_directories(onnx_enclave_test PRIVATE ${CMAKE_SOURCE_DIR}/tests/unit ${CMAKE_BINARY_DIR}/src/onnx/gen)
  add_dependencies(onnx_enclave_test test_onnx_enclave cella_onnx_proto) # a model built with protobuf-c
endif()
