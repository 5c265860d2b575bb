#!/bin/sh
# Regenerates Sources/Walkthrough/BuiltinLessons.swift from Lessons/*.toml (run after changing a lesson).
exec "$(dirname "$0")/../scripts/embed-toml.sh" Lessons Sources/Walkthrough/BuiltinLessons.swift BuiltinLessons
