# Installation (binaries, desktop entry, icon) and a Debian package through CPack: cpack -G DEB in build/.
include(GNUInstallDirs)
install(FILES "${PROJECT_SOURCE_DIR}/resources/askpro-admin.desktop" DESTINATION "${CMAKE_INSTALL_DATADIR}/applications")
install(FILES "${PROJECT_SOURCE_DIR}/resources/icons/askpro-admin.svg"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps")

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "askpro-admin")
set(CPACK_PACKAGE_VENDOR "AskProAI")
set(CPACK_PACKAGE_CONTACT "AskProAI <support@askproai.de>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_DEBIAN_PACKAGE_SECTION "misc")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, libqt6sql6-psql, postgresql-client")
include(CPack)
