#!/bin/sh
# Regenerates Sources/ThemeFiles/BuiltinThemes.swift from Themes/*.toml (run after changing a theme).
exec "$(dirname "$0")/../scripts/embed-toml.sh" Themes Sources/ThemeFiles/BuiltinThemes.swift BuiltinThemes
