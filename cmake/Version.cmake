# Build metadata for --version and portwarden_build_info.
execute_process(COMMAND git rev-parse --short=12 HEAD
                WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                OUTPUT_VARIABLE PORTWARDEN_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET)
execute_process(COMMAND git rev-parse --abbrev-ref HEAD
                WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                OUTPUT_VARIABLE PORTWARDEN_BRANCH OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET)
if(NOT PORTWARDEN_REVISION)
  set(PORTWARDEN_REVISION "unknown")
endif()
if(NOT PORTWARDEN_BRANCH)
  set(PORTWARDEN_BRANCH "unknown")
endif()
set(PORTWARDEN_COMPILER "${CMAKE_CXX_COMPILER_ID}-${CMAKE_CXX_COMPILER_VERSION}")
configure_file(${PROJECT_SOURCE_DIR}/agent/core/version.h.in
               ${PROJECT_BINARY_DIR}/generated/agent/core/version_info.h @ONLY)
