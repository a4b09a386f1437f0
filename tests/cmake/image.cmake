# SPDX-License-Identifier: MIT
# cella-image: OCI image of helloworld read by skopeo, unpacked by umoci and run; Kubernetes manifests.
if(TARGET cella-image AND TARGET cella-sign AND TARGET helloworld_host AND TARGET cella-monitor)
  add_test(NAME cella_image
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/integration/image/image_test.sh $<TARGET_FILE:cella-image>
                   $<TARGET_FILE:cella-sign> $<TARGET_FILE:helloworld_host> $<TARGET_FILE:helloworld_enclave>
                   $<TARGET_FILE:cella-monitor> ${CMAKE_CURRENT_BINARY_DIR})
  set_tests_properties(cella_image PROPERTIES LABELS integration TIMEOUT 300 SKIP_RETURN_CODE 77)
endif()
# the same manifests against Kubernetes' schemas (npm kubernetes-models, a test peer): skips when npm is unreachable
if(TARGET cella-image AND TARGET cella-sign AND TARGET helloworld_enclave)
  add_test(NAME cella_image_k8s_schema
           COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/integration/image/k8s_schema_test.sh $<TARGET_FILE:cella-image>
                   $<TARGET_FILE:cella-sign> $<TARGET_FILE:helloworld_enclave> ${CMAKE_BINARY_DIR}
                   ${CMAKE_SOURCE_DIR}/scripts)
  set_tests_properties(cella_image_k8s_schema PROPERTIES LABELS differential TIMEOUT 300 SKIP_RETURN_CODE 77
                       RESOURCE_LOCK cella_npm)
endif()
