# SPDX-License-Identifier: MIT
# cella-image: OCI image of helloworld read by skopeo, unpacked by umoci and run; Kubernetes manifests.
if(TARGET cella-image AND TARGET cella-sign AND TARGET helloworld_host AND TARGET cella-monitor)
  add_test(NAME image
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/integration/image/image_test.sh $<TARGET_FILE:cella-image>
                   $<TARGET_FILE:cella-sign> $<TARGET_FILE:helloworld_host> $<TARGET_FILE:helloworld_enclave>
                   $<TARGET_FILE:cella-monitor> ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(image PROPERTIES LABELS integration TIMEOUT 300 SKIP_RETURN_CODE 77)
endif()
