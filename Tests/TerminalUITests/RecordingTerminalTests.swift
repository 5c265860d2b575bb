import Testing
import TerminalUI
