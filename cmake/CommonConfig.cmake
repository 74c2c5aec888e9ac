# Settings every AskPro target links: language level, Qt strictness and warnings.
add_library(askpro_common INTERFACE)
target_compile_features(askpro_common INTERFACE cxx_std_20)
target_compile_definitions(askpro_common INTERFACE ASKPRO_VERSION="${PROJECT_VERSION}")
target_compile_definitions(askpro_common INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CONTEXTLESS_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_NO_FOREACH
)
target_compile_options(askpro_common INTERFACE -Wall -Wextra -Wpedantic)
if(ASKPRO_WERROR)
    target_compile_options(askpro_common INTERFACE -Werror)
endif()
if(ASKPRO_FUZZ)
    # Coverage feedback for libFuzzer in everything the fuzz targets link (clang only).
    target_compile_options(askpro_common INTERFACE -fsanitize=fuzzer-no-link)
endif()
if(ASKPRO_SANITIZE)
    target_compile_options(askpro_common INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(askpro_common INTERFACE -fsanitize=address,undefined)
endif()
