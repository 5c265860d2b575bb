import CNCurses
import ScreenModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real terminal, through ncursesw. One at a time (curses is process-wide).
///
/// Draws only the cells that changed since the last frame; reads keys, mouse clicks, the wheel and
/// resizes as `InputEvent`s; and restores the terminal on every way out: `shutdown()`, `exit()`,
/// a terminating or crash signal (see `TerminalRestore`), and Ctrl-Z (stop, then repaint on `fg`).
public final class CursesTerminal: TerminalBackend {
    public struct Options: Sendable {
        /// false (raw mode): Ctrl-C, Ctrl-Z, Ctrl-\ and Ctrl-S arrive as `.control` keys and the app
        /// decides (quit, `suspendToShell()`...). true (cbreak mode): the terminal turns them into signals.
        public var signalKeys: Bool
        /// Report clicks and the wheel.
        public var mouse: Bool
        /// How long a lone Esc waits for the rest of an escape sequence.
        public var escapeDelayMilliseconds: Int

        public init(signalKeys: Bool = false, mouse: Bool = true, escapeDelayMilliseconds: Int = 25) {
            self.signalKeys = signalKeys
            self.mouse = mouse
            self.escapeDelayMilliseconds = escapeDelayMilliseconds
        }
    }

    public enum StartError: Error, CustomStringConvertible, Equatable {
        case notATerminal
        case alreadyRunning
        case unknownTerminal(String)

        public var description: String {
            switch self {
            case .notATerminal: return "standard input and output must be a terminal"
            case .alreadyRunning: return "a curses terminal is already running"
            case .unknownTerminal(let term): return "cannot use terminal type \"\(term)\" (is TERM right?)"
            }
        }
    }

    public let colorDepth: Int
    public let inputFileDescriptor: Int32 = 0
    /// Whether the locale is UTF-8; if not, box and arrow characters are drawn as ASCII.
    public let unicode: Bool

    public var size: (width: Int, height: Int) {
        active ? (Int(ts_max_x(window)), Int(ts_max_y(window))) : finalSize
    }
    private var finalSize = (width: 0, height: 0)

    nonisolated(unsafe) private static var running = false
    private let terminalScreen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private let hasColors: Bool
    private let colorCount: Int
    private let defaultColors: Bool
    private var pairs: ColorPairs
    private var previous: Screen?
    private var previousTheme: Theme?
    private var fullRedraw = true
    private var cursorVisible: Bool?
    private var suspended = false
    private var resizePending = false
    private var lastEvent: InputEvent?
    private var active = true
    /// (role, cell bold, cell underline) -> (attributes, pair) for the current theme.
    private var appearance: [AppearanceKey: (attr_t, Int16)] = [:]

    private struct AppearanceKey: Hashable {
        var role: Role
        var bold: Bool
        var underline: Bool
    }

    public init(options: Options = Options()) throws {
        guard !CursesTerminal.running else { throw StartError.alreadyRunning }
        guard isatty(0) == 1, isatty(1) == 1 else { throw StartError.notATerminal }
        setlocale(LC_ALL, "")
        let codeset = String(cString: nl_langinfo(nl_item(CODESET))).uppercased()
        unicode = codeset == "UTF-8" || codeset == "UTF8"

        TerminalRestore.saveShellState(fd: 0)
        set_escdelay(Int32(max(0, options.escapeDelayMilliseconds)))
        // newterm, not initscr: it returns nil for an unknown TERM instead of exiting.
        guard let screen = newterm(nil, ts_stdout(), ts_stdin()) else {
            throw StartError.unknownTerminal(getenv("TERM").map { String(cString: $0) } ?? "")
        }
        set_term(screen)
        terminalScreen = screen
        window = ts_stdscr()
        CursesTerminal.running = true

        if options.signalKeys { cbreak() } else { raw() }
        noecho()
        nonl()
        keypad(window, true)
        intrflush(window, false)
        meta(window, true)
        leaveok(window, false)

        hasColors = has_colors()
        var defaults = false
        if hasColors {
            start_color()
            defaults = use_default_colors() == OK
        }
        defaultColors = defaults
        colorCount = hasColors ? Int(ts_colors()) : 0
        colorDepth = CursesTerminal.depth(colors: colorCount)
        pairs = ColorPairs(limit: hasColors ? Int(ts_color_pairs()) : 1)

        if options.mouse {
            // Presses rather than clicks: no waiting to see whether a release follows.
            mouseinterval(0)
            mousemask(ts_button1_pressed() | ts_button1_clicked() | ts_button4_pressed() | ts_button5_pressed(), nil)
        }
        TerminalRestore.saveProgramModes()
        TerminalRestore.install()
    }

    deinit { shutdown() }

    /// 256, 16 or 8 from curses' COLORS; direct-colour terminals (COLORS = 2^24) treat indices as
    /// RGB values above 7, so they get 8.
    static func depth(colors: Int) -> Int {
        switch colors {
        case 257...: return 8
        case 256: return 256
        case 16..<256: return 16
        case 8..<16: return 8
        default: return 0
        }
    }

    // MARK: Output

    public func draw(_ screen: Screen, theme: Theme) {
        guard active, !suspended else { return }
        reenterIfContinued()
        if previousTheme != theme {
            previousTheme = theme
            appearance.removeAll()
            fullRedraw = true
        }
        let (columns, rows) = size
        if let previous, previous.width != screen.width || previous.height != screen.height { fullRedraw = true }
        if fullRedraw {
            werase(window)
            clearok(window, true)
            previous = nil
            fullRedraw = false
        }
        for run in FrameDiff.runs(from: previous, to: screen) where run.y < rows {
            for x in run.x..<min(run.x + run.count, columns) {
                put(screen[x, run.y], x: x, y: run.y, theme: theme)
            }
        }
        previous = screen
        if let cursor = screen.cursor, cursor.x >= 0, cursor.y >= 0, cursor.x < columns, cursor.y < rows {
            setCursor(visible: true)
            wmove(window, Int32(cursor.y), Int32(cursor.x))
        } else {
            setCursor(visible: false)
        }
        wnoutrefresh(window)
        doupdate()
    }

    private func setCursor(visible: Bool) {
        guard cursorVisible != visible else { return }
        cursorVisible = visible
        curs_set(visible ? 1 : 0)
        leaveok(window, !visible)
    }

    private func put(_ cell: Cell, x: Int, y: Int, theme: Theme) {
        let (attributes, pair) = resolve(cell, theme: theme)
        var characters = CellText.scalars(cell.character, unicode: unicode) { ts_wcwidth($0.value) }
            .map { wchar_t(bitPattern: $0.value) }
        characters.append(0)
        var wide = cchar_t()
        setcchar(&wide, characters, attributes, pair, nil)
        // The bottom-right cell returns ERR (the cursor cannot advance) but is drawn.
        mvwadd_wch(window, Int32(y), Int32(x), &wide)
    }

    private func resolve(_ cell: Cell, theme: Theme) -> (attr_t, Int16) {
        let key = AppearanceKey(role: cell.role, bold: cell.bold, underline: cell.underline)
        if let known = appearance[key] { return known }
        let style = theme.style(cell.role)
        var attributes = ts_attr_normal()
        if style.bold || cell.bold { attributes |= ts_attr_bold() }
        if style.underline || cell.underline { attributes |= ts_attr_underline() }
        if style.reverse { attributes |= ts_attr_reverse() }
        var pair: Int16 = 0
        if hasColors {
            let colors = colorCount, defaults = defaultColors
            let key = ColorPairs.Key(
                foreground: ColorPairs.number(style.foreground, colors: colors, defaultColors: defaults, isForeground: true),
                background: ColorPairs.number(style.background, colors: colors, defaultColors: defaults, isForeground: false))
            pair = pairs.pair(for: key) { init_pair($0, $1, $2) }
        }
        appearance[key] = (attributes, pair)
        return (attributes, pair)
    }

    public func invalidate() { fullRedraw = true }

    // MARK: Input

    /// Nil at once while suspended or after shutdown (reading would take the terminal back).
    public func nextEvent(timeoutMilliseconds: Int) -> InputEvent? {
        guard active, !suspended else { return nil }
        if let event = resizeAfterContinue() { return event }
        let clock = ContinuousClock()
        let deadline = timeoutMilliseconds < 0 ? nil : clock.now.advanced(by: .milliseconds(timeoutMilliseconds))
        while true {
            var remaining = -1
            if let deadline {
                let left = clock.now.duration(to: deadline).components
                remaining = max(0, Int(left.seconds) * 1000 + Int((left.attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000))
            }
            wtimeout(window, Int32(clamping: remaining))
            var code: wint_t = 0
            let status = wget_wch(window, &code)
            if let event = resizeAfterContinue() { return event }
            if status == OK {
                if let key = KeyTranslation.key(character: UInt32(code)) { return reported(.key(key)) }
            } else if status == KEY_CODE_YES, let event = functionKeyEvent(Int32(bitPattern: code)) {
                // Two resizes to the same size in a row (a stop's own and SIGWINCH's) tell nothing new.
                if case .resize = event, event == lastEvent { continue }
                return reported(event)
            }
            if let deadline, clock.now >= deadline { return nil }
        }
    }

    private func functionKeyEvent(_ code: Int32) -> InputEvent? {
        switch code {
        case KEY_RESIZE:
            fullRedraw = true
            let (width, height) = size
            return .resize(width: width, height: height)
        case KEY_MOUSE:
            var event = MEVENT()
            guard getmouse(&event) == OK, let button = KeyTranslation.mouseButton(state: event.bstate) else { return nil }
            return .mouse(x: Int(event.x), y: Int(event.y), button: button)
        default:
            return KeyTranslation.key(code: code).map { .key($0) }
        }
    }

    /// After a stop (Ctrl-Z, then `fg`): curses takes the terminal again and repaints the last
    /// frame at once; the app then hears a resize so it renders for the size the terminal has now.
    private func reenterIfContinued() {
        guard TerminalRestore.takeContinued(), !suspended else { return }
        endwin()  // curses still thinks it owns the screen; this lets the next refresh set it all up again
        clearok(ts_curscr(), true)
        wrefresh(window)
        cursorVisible = nil
        fullRedraw = true
        resizePending = true
    }

    private func resizeAfterContinue() -> InputEvent? {
        reenterIfContinued()
        guard resizePending else { return nil }
        resizePending = false
        let (width, height) = size
        return reported(.resize(width: width, height: height))
    }

    private func reported(_ event: InputEvent) -> InputEvent {
        lastEvent = event
        return event
    }

    // MARK: Leaving and coming back

    public func suspend() {
        guard active, !suspended else { return }
        suspended = true
        endwin()
    }

    public func resume() {
        guard active, suspended else { return }
        suspended = false
        clearok(ts_curscr(), true)
        wrefresh(window)
        cursorVisible = nil
        fullRedraw = true
    }

    /// Ctrl-Z in raw mode: gives the terminal back and stops the process; returns after `fg`,
    /// the last frame repainted (a `.resize` event follows so the app renders again).
    public func suspendToShell() {
        guard active else { return }
        TerminalRestore.stopProcess()
        reenterIfContinued()
    }

    public func shutdown() {
        guard active else { return }
        finalSize = size
        active = false
        if !suspended { endwin() }
        delscreen(terminalScreen)
        TerminalRestore.uninstall()
        CursesTerminal.running = false
    }
}
