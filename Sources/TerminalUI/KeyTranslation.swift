import CNCurses
import ScreenModel

/// Curses input codes -> `Key`. Pure, so the table is tested without a terminal.
public enum KeyTranslation {
    /// A character from `wget_wch` (it returned OK): control characters become keys.
    public static func key(character code: UInt32) -> Key? {
        switch code {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 0: return .control("@")
        case 1...26: return .control(Character(Unicode.Scalar(code + 96)!))  // Ctrl-A -> "a"
        case 28: return .control("\\")
        case 29: return .control("]")
        case 30: return .control("^")
        case 31: return .control("_")
        case 0x80..<0xA0: return nil  // C1 controls: never text
        default:
            guard let scalar = Unicode.Scalar(code) else { return nil }
            return .character(Character(scalar))
        }
    }

    /// A function key from `wget_wch` (it returned KEY_CODE_YES). Resize and mouse are handled by the caller.
    public static func key(code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE, KEY_A3: return .pageUp
        case KEY_NPAGE, KEY_C3: return .pageDown
        case KEY_HOME, KEY_A1: return .home
        case KEY_END, KEY_C1, KEY_LL: return .end
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        default:
            // F1...F12, and F13...F24 (shifted F1...F12 on xterm-like terminals).
            let f = Int(code) - Int(ts_key_f(0))
            return (1...24).contains(f) ? .function(f) : nil
        }
    }

    /// A mouse report (`getmouse`'s bstate): button 1 pressed or clicked, the wheel up or down.
    public static func mouseButton(state: mmask_t) -> MouseButton? {
        if state & (ts_button1_pressed() | ts_button1_clicked()) != 0 { return .left }
        if state & ts_button4_pressed() != 0 { return .wheelUp }
        if state & ts_button5_pressed() != 0 { return .wheelDown }
        return nil
    }
}
