# Hardening for every project target (through portwarden::settings), checked on the built
# binary by tests/deploy/check_hardening.sh:
# - optimised builds: _FORTIFY_SOURCE=3 (glibc 2.36 + g++ 12 / clang 14 support it; it needs
#   optimisation, so Debug builds get _GLIBCXX_ASSERTIONS instead: bounds-checked
#   operator[], front(), back(), and checked iterators in the standard library);
# - always: -fstack-protector-strong, -fstack-clash-protection, PIE, full RELRO
#   (-z relro -z now: the GOT is read-only after start-up).
include(CheckPIESupported)
check_pie_supported()
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

# Sanitizer builds (fuzz) turn FORTIFY off: ASan checks the same calls, better.
option(PORTWARDEN_FORTIFY "Compile optimised builds with _FORTIFY_SOURCE=3" ON)
target_compile_options(portwarden_settings INTERFACE
  -fstack-protector-strong -fstack-clash-protection
  $<$<AND:$<BOOL:${PORTWARDEN_FORTIFY}>,$<NOT:$<CONFIG:Debug>>>:-U_FORTIFY_SOURCE
  -D_FORTIFY_SOURCE=3>)
target_compile_definitions(portwarden_settings INTERFACE
  $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)
target_link_options(portwarden_settings INTERFACE -Wl,-z,relro,-z,now)
