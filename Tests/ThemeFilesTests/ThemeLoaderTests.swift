import Testing
import ThemeFiles
