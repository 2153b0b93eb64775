# Debian package: `make package` (cpack -G DEB in the build directory).
# Installs the binary (stripped), the example configuration as a conffile, the environment file,
# the hardened systemd unit, the alert rules, the dashboards with their Grafana provisioning
# files, and /usr/share/doc/portwarden (README, copyright, changelog). Depends are computed by
# dpkg-shlibdeps; the maintainer scripts in deploy/debian/ follow debhelper's --no-enable
# convention (daemon-reload; the administrator enables the service).
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
        FILES_MATCHING PATTERN "*.json" PATTERN "provisioning" EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/debian/grafana-dashboards.yml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/portwarden/grafana/provisioning/dashboards
        RENAME portwarden.yml)
install(FILES ${PROJECT_SOURCE_DIR}/dashboards/provisioning/datasources.yml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/portwarden/grafana/provisioning/datasources
        RENAME portwarden.yml)

# /usr/share/doc/portwarden, as Debian policy wants it: copyright as is, changelog gzipped.
set(_doc ${CMAKE_INSTALL_DATADIR}/doc/portwarden)
set(_changelog_gz ${PROJECT_BINARY_DIR}/packaging/changelog.Debian.gz)
file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/packaging)
file(ARCHIVE_CREATE OUTPUT ${_changelog_gz} PATHS ${PROJECT_SOURCE_DIR}/deploy/debian/changelog
     FORMAT raw COMPRESSION GZip)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/deploy/debian/copyright
              ${_changelog_gz}
        DESTINATION ${_doc})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${_doc}/docs FILES_MATCHING
        PATTERN "*.md")

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "portwarden")
set(CPACK_PACKAGE_VENDOR "portwarden")
# The Maintainer field; a downstream packager sets their own with -DPORTWARDEN_DEB_MAINTAINER=.
set(PORTWARDEN_DEB_MAINTAINER "portwarden maintainers <maintainers@portwarden.org>"
    CACHE STRING "Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT "${PORTWARDEN_DEB_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${PORTWARDEN_DEB_MAINTAINER}")
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
# Debug symbols are not shipped: the package holds the stripped binary only.
set(CPACK_STRIP_FILES ON)
# CMake 3.25 does not mark /etc files as conffiles itself.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/prerm ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
