// terminal-demo: a fixed screen drawn with CursesTerminal that echoes every event on its bottom
// line. The tmux tests drive it; it is also a quick look at a theme:
//   swift run terminal-demo [--theme NAME] [--cbreak] [--no-mouse] [--pid-file PATH]
// Keys: q or Ctrl-C quits, c toggles the cursor, Ctrl-Z suspends (raw mode), s suspends until
// Enter (as running a pager would), ! crashes on purpose.
import Foundation
import ScreenModel
import TerminalUI
import ThemeFiles

var themeName = ThemeLoader.defaultName
var options = CursesTerminal.Options()
var pidFile: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--theme": themeName = arguments.popFirst() ?? themeName
    case "--cbreak": options.signalKeys = true
    case "--no-mouse": options.mouse = false
    case "--pid-file": pidFile = arguments.popFirst()
    default:
        FileHandle.standardError.write(Data("usage: terminal-demo [--theme NAME] [--cbreak] [--no-mouse] [--pid-file PATH]\n".utf8))
        exit(2)
    }
}
if let pidFile { try? "\(getpid())\n".write(toFile: pidFile, atomically: true, encoding: .utf8) }

let terminal: CursesTerminal
do {
    terminal = try CursesTerminal(options: options)
} catch {
    FileHandle.standardError.write(Data("terminal-demo: \(error)\n".utf8))
    exit(1)
}
let (theme, warnings) = ThemeLoader.load(name: themeName, colorDepth: terminal.colorDepth,
                                         environment: ProcessInfo.processInfo.environment, userDirectory: nil)

func describe(_ event: InputEvent) -> String {
    switch event {
    case .key(let key):
        switch key {
        case .character(let c): return "key '\(c)'"
        case .control(let c): return "key ctrl-\(c)"
        case .function(let n): return "key F\(n)"
        default: return "key \(key)"
        }
    case let .mouse(x, y, button): return "mouse \(button) \(x),\(y)"
    case let .resize(width, height): return "resize \(width)x\(height)"
    }
}

@MainActor func render(width: Int, height: Int, count: Int, last: String, showCursor: Bool) -> Screen {
    var s = Screen(width: width, height: height)
    s.fill(x: 0, y: 0, width: width, role: .paneTitleFocused)
    s.put(" tunnelscope terminal demo", x: 0, y: 0, role: .paneTitleFocused)
    let depth = "\(terminal.colorDepth) colours, theme \(theme.name) "
    s.put(depth, x: max(0, width - depth.count), y: 0, role: .paneTitleFocused)
    s.fill(x: 0, y: 1, width: width, role: .listHeader)
    s.put("No. Source          → Destination      Protocol", x: 0, y: 1, role: .listHeader)
    s.put("  1 2001:2::8067    → 2001:3::8067     ICMPv6", x: 0, y: 2, role: .listRow)
    s.fill(x: 0, y: 3, width: width, role: .listRowSelected)
    s.put("  2 2001:3::8067    → 2001:2::8067     ICMPv6", x: 0, y: 3, role: .listRowSelected)
    s.put("  3 192.168.122.127 → 192.168.122.134  6in4", x: 0, y: 4, role: .listRowTunnel)
    s.fill(x: 0, y: 5, width: width, role: .border, character: "─")
    s.put("0000", x: 0, y: 6, role: .hexOffset)
    s.put("│", x: 5, y: 6, role: .border)
    var x = s.put("45 00 00 88 ", x: 7, y: 6, role: .layerIPv4)
    x = s.put("60 00 00 00", x: x, y: 6, role: .layerIPv6)
    s.put("│", x: x + 1, y: 6, role: .border)
    s.put("E..", x: x + 3, y: 6, role: .hexAscii)
    s.put("bold:", x: 0, y: 7, role: .normal)
    s[6, 7] = Cell("B", .normal, bold: true)
    s.put("reverse:", x: 9, y: 7, role: .normal)
    s[18, 7] = Cell("R", .hexCursor)
    s.put("selected bytes", x: 21, y: 7, role: .hexSelected)
    s.put("filter ok", x: 37, y: 7, role: .filterValid)
    s.put("bad filter", x: 48, y: 7, role: .filterInvalid)
    for (i, warning) in warnings.prefix(max(0, height - 11)).enumerated() {
        s.put(warning.description, x: 0, y: 9 + i, role: .warning)
    }
    s.put("size \(width)x\(height)   q quits, c cursor, ctrl-z suspends", x: 0, y: height - 2, role: .help)
    s.fill(x: 0, y: height - 1, width: width, role: .statusLine)
    s.put("#\(count) \(last)", x: 0, y: height - 1, role: .statusLine)
    if showCursor { s.cursor = (x: 5, y: height - 2) }
    return s
}

var count = 0
var last = "none"
var showCursor = false
while true {
    let (width, height) = terminal.size
    terminal.draw(render(width: width, height: height, count: count, last: last, showCursor: showCursor), theme: theme)
    guard let event = terminal.nextEvent(timeoutMilliseconds: -1) else { continue }
    switch event {
    case .key(.character("q")), .key(.control("c")):
        terminal.shutdown()
        exit(0)
    case .key(.character("!")):
        fatalError("terminal-demo: crash on request")
    case .key(.character("c")):
        showCursor.toggle()
    case .key(.control("z")):
        terminal.suspendToShell()
    case .key(.character("s")):
        // What running a pager looks like: the shell's screen and modes, then back.
        terminal.suspend()
        FileHandle.standardOutput.write(Data("suspended; press Enter to go back\n".utf8))
        _ = readLine()
        terminal.resume()
    case .key(.control("l")):
        terminal.invalidate()
    default:
        break
    }
    count += 1
    last = describe(event)
}
