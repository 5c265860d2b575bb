#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Puts the terminal back when the process dies or stops while curses owns it.
///
/// endwin is not async-signal-safe, so the handlers write the reset sequences themselves and
/// restore the termios saved before curses started; then the signal goes on to whoever had it
/// before (the default action, or the Swift runtime's backtracer), so exit statuses and crash
/// reports stay what they would have been. Everything a handler reads lives in memory allocated
/// before the handlers are installed, reached through pointers (no Swift arrays, no exclusivity checks).
enum TerminalRestore {
    /// Terminating and crash signals: restore, then re-raise. (Swift traps raise SIGILL or SIGTRAP.)
    static let fatalSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGILL, SIGABRT, SIGFPE, SIGTRAP]

    /// Leave the alternate screen, show the cursor, stop mouse reports, normal keypad, plain attributes.
    static let resetSequence = "\u{1b}[0m\u{1b}[?1000l\u{1b}[?1002l\u{1b}[?1003l\u{1b}[?1006l\u{1b}[?1l\u{1b}>\u{1b}[?25h\u{1b}[?1049l"

    struct State {
        var active: Bool = false
        var haveShellModes: Bool = false
        var haveProgramModes: Bool = false
        /// termios are read and set on stdin; the reset sequences go to stdout (both the terminal).
        var fd: Int32 = 0
        var outputFD: Int32 = 1
        var reset: UnsafeMutablePointer<UInt8>
        var resetLength: Int
        /// Set by the SIGTSTP handler once the process is continued; the main loop then repaints.
        var continued: Int32 = 0
    }

    nonisolated(unsafe) static let state: UnsafeMutablePointer<State> = {
        let bytes = Array(resetSequence.utf8)
        let reset = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count)
        reset.initialize(from: bytes, count: bytes.count)
        let state = UnsafeMutablePointer<State>.allocate(capacity: 1)
        state.initialize(to: State(reset: reset, resetLength: bytes.count))
        return state
    }()
    nonisolated(unsafe) static let shellModes: UnsafeMutablePointer<termios> = .allocate(capacity: 1)
    nonisolated(unsafe) static let programModes: UnsafeMutablePointer<termios> = .allocate(capacity: 1)
    /// The actions before ours, indexed by signal number.
    nonisolated(unsafe) static let previous: UnsafeMutablePointer<sigaction> = {
        let p = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
        p.initialize(repeating: sigaction(), count: 65)
        return p
    }()
    /// Signals whose handler is ours (bit n: signal n), so `uninstall` puts back exactly those.
    nonisolated(unsafe) static var installedSignals: UInt64 = 0
    nonisolated(unsafe) static var atexitRegistered = false

    static var handledSignals: [Int32] { fatalSignals + [SIGTSTP, SIGCONT] }

    /// Saves the shell's terminal modes and the signal actions; call before curses changes them
    /// (ncurses puts in handlers of its own for SIGINT, SIGTERM and SIGTSTP that call exit(1)).
    static func saveShellState(fd: Int32) {
        _ = state  // allocate everything the handlers read now, not in a handler
        state.pointee.fd = fd
        state.pointee.haveShellModes = tcgetattr(fd, shellModes) == 0
        guard installedSignals == 0 else { return }
        for signal in handledSignals { sigaction(signal, nil, previous + Int(signal)) }
    }

    /// Saves the modes curses set up (raw, no echo), put back when the process is continued.
    static func saveProgramModes() {
        state.pointee.haveProgramModes = tcgetattr(state.pointee.fd, programModes) == 0
    }

    /// Installs the handlers (over the ones ncurses put in); a signal goes on to the action saved
    /// by `saveShellState`, from before curses.
    static func install() {
        if !atexitRegistered {
            atexitRegistered = true
            // exit() without shutdown() (an error path) must not leave the terminal raw either.
            atexit { if TerminalRestore.state.pointee.active { TerminalRestore.restoreNow() } }
        }
        setUpAlternateStack()
        state.pointee.active = true
        guard installedSignals == 0 else { return }
        for signal in fatalSignals {
            // A signal the shell told us to ignore (nohup, a background job) stays ignored.
            let ignored = unsafeBitCast(previous[Int(signal)].__sigaction_handler.sa_handler, to: Int.self) == 1
            if ignored, [SIGHUP, SIGINT, SIGQUIT, SIGTERM].contains(signal) { continue }
            setHandler(signal, fatalHandler, flags: SA_ONSTACK)
        }
        setHandler(SIGTSTP, stopHandler, flags: SA_RESTART)
        setHandler(SIGCONT, continueHandler, flags: SA_RESTART)
    }

    /// Puts the previous handlers back (at shutdown).
    static func uninstall() {
        state.pointee.active = false
        for signal in Int32(1)..<64 where installedSignals & (1 << UInt64(signal)) != 0 {
            sigaction(signal, previous + Int(signal), nil)
        }
        installedSignals = 0
    }

    private static func setHandler(_ signal: Int32, _ handler: @convention(c) (Int32) -> Void, flags: Int32) {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigfillset(&action.sa_mask)
        action.sa_flags = flags
        sigaction(signal, &action, nil)
        installedSignals |= 1 << UInt64(signal)
    }

    /// A stack for the crash handler, so a stack overflow can still restore the terminal.
    private static func setUpAlternateStack() {
        var current = stack_t()
        guard sigaltstack(nil, &current) == 0, current.ss_flags & Int32(SS_DISABLE) != 0 else { return }
        let size = 64 * 1024
        var stack = stack_t()
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        stack.ss_size = size
        stack.ss_flags = 0
        sigaltstack(&stack, nil)
    }

    /// Async-signal-safe: write(2) and tcsetattr(3) only.
    static func restoreNow() {
        let s = state
        var written = 0
        while written < s.pointee.resetLength {
            let n = write(s.pointee.outputFD, s.pointee.reset + written, s.pointee.resetLength - written)
            if n <= 0 { break }
            written += n
        }
        if s.pointee.haveShellModes { tcsetattr(s.pointee.fd, TCSANOW, shellModes) }
    }

    /// Continued after a stop: curses' own modes back at once (so typed keys don't echo), and a
    /// SIGWINCH so a `wget_wch` or `poll` waiting in the main loop wakes up and the app repaints.
    static func afterContinue() {
        let s = state
        if s.pointee.haveProgramModes { tcsetattr(s.pointee.fd, TCSANOW, programModes) }
        guard s.pointee.continued == 0 else { return }  // SIGCONT's handler and the stop both get here
        s.pointee.continued = 1
        raise(SIGWINCH)
    }

    /// Whether the process was stopped and continued since the last call.
    static func takeContinued() -> Bool {
        guard state.pointee.continued != 0 else { return false }
        state.pointee.continued = 0
        return true
    }

    /// Stops the process the way Ctrl-Z does, the terminal restored first; returns once continued.
    /// Async-signal-safe: also the SIGTSTP handler's body.
    static func stopProcess() {
        if state.pointee.active { restoreNow() }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = SIG_DFL
        sigemptyset(&action.sa_mask)
        var ours = sigaction()
        sigaction(SIGTSTP, &action, &ours)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGTSTP)
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
        // Stops here. (In an orphaned process group, one with no job-control shell, the kernel drops it.)
        kill(getpid(), SIGTSTP)
        sigaction(SIGTSTP, &ours, nil)
        if state.pointee.active { afterContinue() }
    }
}

private func fatalHandler(_ signal: Int32) {
    if TerminalRestore.state.pointee.active { TerminalRestore.restoreNow() }
    TerminalRestore.state.pointee.active = false
    // Hand the signal on: it is blocked while we run, so it reaches the previous action as we return.
    sigaction(signal, TerminalRestore.previous + Int(signal), nil)
    raise(signal)
}

private func stopHandler(_ signal: Int32) {
    let savedErrno = errno
    TerminalRestore.stopProcess()
    errno = savedErrno
}

/// Also after SIGSTOP (which no handler sees): the shell may have written over the screen.
private func continueHandler(_ signal: Int32) {
    let savedErrno = errno
    if TerminalRestore.state.pointee.active { TerminalRestore.afterContinue() }
    errno = savedErrno
}
