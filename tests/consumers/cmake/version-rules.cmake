# Which versions find_package(marena) accepts (marenaConfigVersion.cmake,
# semver's rules: see cmake/marenaConfigVersion.cmake.in), checked with
# real find_package() calls against the installed package, whose version
# MARENA_INSTALLED_VERSION gives. Included by CMakeLists.txt with
# -DMARENA_CHECK_VERSION_RULES=ON; a wrong answer stops the configure step.

if(NOT MARENA_INSTALLED_VERSION MATCHES "^([0-9]+)\\.([0-9]+)\\.([0-9]+)$")
  message(FATAL_ERROR "MARENA_INSTALLED_VERSION must be MAJOR.MINOR.MICRO, not '${MARENA_INSTALLED_VERSION}'")
endif()
set(major ${CMAKE_MATCH_1})
set(minor ${CMAKE_MATCH_2})
set(micro ${CMAKE_MATCH_3})
math(EXPR next_major "${major} + 1")
math(EXPR next_minor "${minor} + 1")
math(EXPR next_micro "${micro} + 1")

# expect_found(WANT ARGS...): find_package(marena ARGS... QUIET) finds it
# (WANT TRUE) or not (WANT FALSE).
function(expect_found want)
  unset(marena_DIR CACHE)
  find_package(marena ${ARGN} QUIET)
  if(want AND NOT marena_FOUND)
    message(FATAL_ERROR "find_package(marena ${ARGN}) did not accept ${MARENA_INSTALLED_VERSION}")
  elseif(NOT want AND marena_FOUND)
    message(FATAL_ERROR "find_package(marena ${ARGN}) accepted ${MARENA_INSTALLED_VERSION}")
  endif()
  message(STATUS "find_package(marena ${ARGN}): found ${marena_FOUND}, as it should")
endfunction()

expect_found(TRUE)
expect_found(TRUE "${major}.${minor}")
expect_found(TRUE "${major}.${minor}.${micro}")
expect_found(TRUE "${major}.${minor}.${micro}" EXACT)
expect_found(TRUE "${major}")
expect_found(FALSE "${major}.${minor}.${next_micro}")
expect_found(FALSE "${major}.${next_minor}")
expect_found(FALSE "${next_major}.0")
expect_found(TRUE "${major}.${minor}...${major}.${next_minor}")
expect_found(FALSE "${major}.${next_minor}...${next_major}.0")
expect_found(FALSE "${major}...<${major}.${minor}")
if(major EQUAL 0 AND minor GREATER 0)
  # 0.x: another minor version is another API.
  math(EXPR previous_minor "${minor} - 1")
  expect_found(FALSE "0.${previous_minor}")
elseif(major GREATER 0)
  expect_found(TRUE "${major}.0")
endif()
# The real find_package() that follows searches afresh.
unset(marena_DIR CACHE)
