import CNCurses
import Foundation
import TestSupport
import ScreenModel
import Testing
@testable import TerminalUI

/// The loop an app runs, written against the protocol: draw, wait for an event, until "q".
func runLoop(_ terminal: TerminalBackend, theme: Theme) -> [InputEvent] {
    var seen: [InputEvent] = []
    while true {
        let (width, height) = terminal.size
        var screen = Screen(width: width, height: height)
        screen.put("events: \(seen.count)", x: 0, y: 0, role: .statusLine)
        terminal.draw(screen, theme: theme)
        guard let event = terminal.nextEvent(timeoutMilliseconds: 0) else { break }
        if event == .key(.character("q")) { break }
        seen.append(event)
    }
    terminal.shutdown()
    return seen
}

@Suite("Recording terminal")
struct RecordingTerminalTests {
    @Test func roundTrip() {
        let events: [InputEvent] = [.key(.down), .mouse(x: 3, y: 4, button: .left), .resize(width: 100, height: 30), .key(.character("q")), .key(.up)]
        let terminal = RecordingTerminal(events: events)
        #expect(terminal.size == (80, 24))
        let seen = runLoop(terminal, theme: .mono)
        #expect(seen == Array(events.prefix(3)))
        #expect(terminal.remainingEvents == [.key(.up)])
        #expect(terminal.frames.count == 4)
        #expect(terminal.frames.map(\.screen.width) == [80, 80, 80, 100])
        #expect(terminal.lastScreen?.line(0).hasPrefix("events: 3") == true)
        #expect(terminal.frames.allSatisfy { $0.theme == .mono })
        #expect(terminal.size == (100, 30))
        #expect(terminal.isShutDown)
        #expect(terminal.calls == [.draw, .draw, .draw, .draw, .shutdown])
    }

    @Test func anEmptyScriptMeansNoEvent() {
        let terminal = RecordingTerminal(width: 40, height: 10, colorDepth: 8)
        #expect(terminal.nextEvent(timeoutMilliseconds: -1) == nil)
        terminal.enqueue(.key(.enter))
        #expect(terminal.nextEvent(timeoutMilliseconds: 0) == .key(.enter))
        terminal.suspend()
        #expect(terminal.isSuspended)
        terminal.resume()
        terminal.invalidate()
        #expect(terminal.calls == [.suspend, .resume, .invalidate])
        #expect(terminal.colorDepth == 8)
    }
}

@Suite("Frame diff")
struct FrameDiffTests {
    @Test func firstFrameIsDrawnInFull() {
        let screen = Screen(width: 3, height: 2)
        #expect(FrameDiff.runs(from: nil, to: screen) == [.init(y: 0, x: 0, count: 3), .init(y: 1, x: 0, count: 3)])
        #expect(FrameDiff.runs(from: Screen(width: 4, height: 2), to: screen).count == 2)
    }

    @Test func onlyChangedRuns() {
        var old = Screen(width: 10, height: 3)
        old.put("hello", x: 0, y: 0, role: .normal)
        var new = old
        #expect(FrameDiff.runs(from: old, to: new) == [])
        new.put("help", x: 0, y: 0, role: .normal)  // "hello" -> "helpo": one cell
        new.put("ab", x: 7, y: 0, role: .normal)
        new.paint(x: 2, y: 2, width: 3, role: .listRowSelected)  // a role change counts
        #expect(FrameDiff.runs(from: old, to: new) == [
            .init(y: 0, x: 3, count: 1), .init(y: 0, x: 7, count: 2), .init(y: 2, x: 2, count: 3),
        ])
    }
}

@Suite("Key translation")
struct KeyTranslationTests {
    @Test func characters() {
        #expect(KeyTranslation.key(character: 10) == .enter)
        #expect(KeyTranslation.key(character: 13) == .enter)
        #expect(KeyTranslation.key(character: 27) == .escape)
        #expect(KeyTranslation.key(character: 9) == .tab)
        #expect(KeyTranslation.key(character: 127) == .backspace)
        #expect(KeyTranslation.key(character: 8) == .backspace)
        #expect(KeyTranslation.key(character: 3) == .control("c"))
        #expect(KeyTranslation.key(character: 26) == .control("z"))
        #expect(KeyTranslation.key(character: 0x71) == .character("q"))
        #expect(KeyTranslation.key(character: 0xE9) == .character("é"))
        #expect(KeyTranslation.key(character: 0x85) == nil)
    }

    @Test func functionKeys() {
        #expect(KeyTranslation.key(code: KEY_UP) == .up)
        #expect(KeyTranslation.key(code: KEY_NPAGE) == .pageDown)
        #expect(KeyTranslation.key(code: KEY_HOME) == .home)
        #expect(KeyTranslation.key(code: KEY_END) == .end)
        #expect(KeyTranslation.key(code: KEY_ENTER) == .enter)
        #expect(KeyTranslation.key(code: KEY_BACKSPACE) == .backspace)
        #expect(KeyTranslation.key(code: KEY_DC) == .delete)
        #expect(KeyTranslation.key(code: KEY_BTAB) == .backTab)
        #expect(KeyTranslation.key(code: ts_key_f(1)) == .function(1))
        #expect(KeyTranslation.key(code: ts_key_f(12)) == .function(12))
        #expect(KeyTranslation.key(code: KEY_IC) == nil)
    }

    @Test func mouse() {
        #expect(KeyTranslation.mouseButton(state: ts_button1_pressed()) == .left)
        #expect(KeyTranslation.mouseButton(state: ts_button1_clicked()) == .left)
        #expect(KeyTranslation.mouseButton(state: ts_button4_pressed()) == .wheelUp)
        #expect(KeyTranslation.mouseButton(state: ts_button5_pressed()) == .wheelDown)
        #expect(KeyTranslation.mouseButton(state: 0) == nil)
    }
}

@Suite("Cells and colours")
struct CellTests {
    let width: (Unicode.Scalar) -> Int32 = { $0.value == 0x301 ? 0 : $0.value >= 0x1100 && $0.value < 0x1200 ? 2 : 1 }

    @Test func characters() {
        #expect(CellText.scalars("a", unicode: true, width: width) == ["a"])
        #expect(CellText.scalars("→", unicode: true, width: width) == ["→"])
        #expect(CellText.scalars("e\u{301}", unicode: true, width: width) == ["e", "\u{301}"])
        #expect(CellText.scalars("\u{1100}", unicode: true, width: width) == ["?"])  // two columns wide
        #expect(CellText.scalars("\u{7}", unicode: true, width: width) == ["."])
        // Not a UTF-8 locale: ASCII stand-ins.
        #expect(CellText.scalars("→", unicode: false, width: width) == [">"])
        #expect(CellText.scalars("│", unicode: false, width: width) == ["|"])
        #expect(CellText.scalars("─", unicode: false, width: width) == ["-"])
        #expect(CellText.scalars("é", unicode: false, width: width) == ["?"])
    }

    @Test func pairsAreAllocatedOnceAndRunOut() {
        var pairs = ColorPairs(limit: 3)
        var defined: [[Int16]] = []
        let define: (Int16, Int16, Int16) -> Void = { defined.append([$0, $1, $2]) }
        #expect(pairs.pair(for: .init(foreground: -1, background: -1), define: define) == 0)
        #expect(pairs.pair(for: .init(foreground: 1, background: -1), define: define) == 1)
        #expect(pairs.pair(for: .init(foreground: 1, background: -1), define: define) == 1)
        #expect(pairs.pair(for: .init(foreground: 0, background: 6), define: define) == 2)
        #expect(pairs.pair(for: .init(foreground: 3, background: 4), define: define) == 0)  // out of pairs
        #expect(defined == [[1, 1, -1], [2, 0, 6]])
    }

    @Test func colourNumbers() {
        #expect(ColorPairs.number(.terminalDefault, colors: 256, defaultColors: true, isForeground: true) == -1)
        #expect(ColorPairs.number(.terminalDefault, colors: 8, defaultColors: false, isForeground: false) == 0)
        #expect(ColorPairs.number(.indexed(200), colors: 256, defaultColors: true, isForeground: true) == 200)
        #expect(ColorPairs.number(.indexed(12), colors: 8, defaultColors: true, isForeground: true) == 4)
    }

    @Test func depths() {
        #expect(CursesTerminal.depth(colors: 256) == 256)
        #expect(CursesTerminal.depth(colors: 88) == 16)
        #expect(CursesTerminal.depth(colors: 16) == 16)
        #expect(CursesTerminal.depth(colors: 8) == 8)
        #expect(CursesTerminal.depth(colors: 0) == 0)
        #expect(CursesTerminal.depth(colors: 0x1000000) == 8)
    }

    @Test func cursesNeedsATerminal() {
        // The test runner's stdin is not a terminal (or, under a terminal, stdout is piped).
        if isatty(0) == 0 || isatty(1) == 0 {
            #expect(throws: CursesTerminal.StartError.notATerminal) { try CursesTerminal() }
        }
    }
}
