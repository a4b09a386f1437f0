# SPDX-License-Identifier: MIT
# cella-inferd (services/inferd) end to end on the sandbox backend.
set(CELLA_ONNX_TESTDATA /usr/share/libonnx-testdata/data CACHE PATH "libonnx-testdata root") # as onnx.cmake
if(TARGET cella-inferd AND TARGET cella-infer AND TARGET cella-sign)
  add_test(NAME inferd
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/integration/inferd/inferd_test.sh $<TARGET_FILE:cella-inferd>
                   $<TARGET_FILE:cella-inferd_enclave> $<TARGET_FILE:cella-infer> $<TARGET_FILE:cella-sign>
                   ${CMAKE_CURRENT_BINARY_DIR} ${CELLA_ONNX_TESTDATA})
  set_tests_properties(inferd PROPERTIES LABELS integration TIMEOUT 240)
endif()
