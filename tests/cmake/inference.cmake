# SPDX-License-Identifier: MIT
# The confidential-inference sample (samples/confidential-inference) end to end on the sandbox backend.
set(CELLA_ONNX_TESTDATA /usr/share/libonnx-testdata/data CACHE PATH "libonnx-testdata root") # as onnx.cmake
if(TARGET confidential-inference_host AND TARGET confidential-inference_client)
  add_test(NAME confidential_inference
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/integration/inference/inference_test.sh
                   $<TARGET_FILE:confidential-inference_host> $<TARGET_FILE:confidential-inference_enclave>
                   $<TARGET_FILE:confidential-inference_client> ${CMAKE_CURRENT_BINARY_DIR}
                   ${CELLA_ONNX_TESTDATA})
  set_tests_properties(confidential_inference PROPERTIES LABELS integration TIMEOUT 180)
endif()
