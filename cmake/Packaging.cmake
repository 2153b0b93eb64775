# Debian package: `make package` (cpack -G DEB in the build directory).
# Installs the binary, the example configuration as a conffile, the environment file and the
# hardened systemd unit from deploy/. Depends are computed by dpkg-shlibdeps.
install(FILES ${PROJECT_SOURCE_DIR}/deploy/portwarden.toml DESTINATION /etc/portwarden)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/portwarden.default DESTINATION /etc/default
        RENAME portwarden)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/portwarden.service
        DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/prometheus/portwarden-alerts.yml
              ${PROJECT_SOURCE_DIR}/deploy/prometheus/portwarden-records.yml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/portwarden/prometheus)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/dashboards/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/portwarden/dashboards
        FILES_MATCHING PATTERN "*.json")

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "portwarden")
set(CPACK_PACKAGE_VENDOR "portwarden")
set(CPACK_PACKAGE_CONTACT "portwarden maintainers <portwarden@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Listening ports, exposure policy and TLS certificate exporter for Prometheus")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Loaded with dlopen() at the first HTTP check, so dpkg-shlibdeps cannot see it.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4 (>= 7.85)")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# CMake 3.25 does not mark /etc files as conffiles itself.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
