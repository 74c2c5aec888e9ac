# Debian packages that match the split between desktop and server (cpack -G DEB in build/, docs/deploy.md):
#   askpro-server   the server and its commands, a hardened systemd unit, /etc/askpro settings, the nginx site;
#   askpro-admin    the desktop app and its menu entry only: no server, no sandbox, no SQL driver;
#   askpro-sandbox  the provider stand-ins for demos and tests.
# Binaries are stripped; their debug symbols go into one -dbgsym package each.
include(GNUInstallDirs)

install(FILES "${PROJECT_SOURCE_DIR}/resources/askpro-admin.desktop" DESTINATION "${CMAKE_INSTALL_DATADIR}/applications"
        COMPONENT admin)
install(FILES "${PROJECT_SOURCE_DIR}/resources/icons/askpro-admin.svg"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps" COMPONENT admin)

# /usr/lib/systemd/system is where Debian's packages put their units (merged /usr).
install(FILES "${PROJECT_SOURCE_DIR}/deploy/systemd/askpro-server.service" DESTINATION lib/systemd/system COMPONENT server)
install(FILES "${PROJECT_SOURCE_DIR}/deploy/debian/askpro-server.env" DESTINATION /etc/askpro COMPONENT server
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ) # its group becomes askpro in postinst
install(FILES "${PROJECT_SOURCE_DIR}/deploy/nginx/askpro.conf" DESTINATION "${CMAKE_INSTALL_DATADIR}/askpro/nginx" COMPONENT server)
install(FILES "${PROJECT_SOURCE_DIR}/docs/deploy.md" "${PROJECT_SOURCE_DIR}/docs/security.md"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/askpro-server" COMPONENT server)

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "askpro")
set(CPACK_PACKAGE_VENDOR "AskProAI")
set(CPACK_PACKAGE_CONTACT "AskProAI <support@askproai.de>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
# CPackDeb strips the binaries itself when it moves their debug symbols into -dbgsym packages.
set(CPACK_COMPONENTS_ALL server admin sandbox)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "misc")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME "askpro-server")
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION "net")
set(CPACK_COMPONENT_SERVER_DESCRIPTION "AskPro server: takes the voice agent's calls, books them, bills the businesses and serves the admin API")
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "adduser, libqt6sql6-sqlite, libqt6sql6-psql")
set(CPACK_DEBIAN_SERVER_PACKAGE_RECOMMENDS "nginx, postgresql-client")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/deploy/debian/conffiles;${PROJECT_SOURCE_DIR}/deploy/debian/postinst;${PROJECT_SOURCE_DIR}/deploy/debian/prerm;${PROJECT_SOURCE_DIR}/deploy/debian/postrm")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_ADMIN_PACKAGE_NAME "askpro-admin")
set(CPACK_DEBIAN_ADMIN_PACKAGE_SECTION "office")
set(CPACK_COMPONENT_ADMIN_DESCRIPTION "AskPro Admin: the desktop app that signs in to an AskPro server")
# The platform plugins; a Secret Service keeps the session of "stay signed in".
set(CPACK_DEBIAN_ADMIN_PACKAGE_DEPENDS "qt6-qpa-plugins")
set(CPACK_DEBIAN_ADMIN_PACKAGE_RECOMMENDS "gnome-keyring | kwalletmanager")

set(CPACK_DEBIAN_SANDBOX_PACKAGE_NAME "askpro-sandbox")
set(CPACK_DEBIAN_SANDBOX_PACKAGE_SECTION "devel")
set(CPACK_COMPONENT_SANDBOX_DESCRIPTION "AskPro sandbox: local stand-ins for the telephony, calendar and payment providers, for demos")
include(CPack)
