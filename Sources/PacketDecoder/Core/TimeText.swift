// Calendar text for timestamps, without Foundation.

public enum TimeText {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Wireshark's "Jul  2, 2020 16:40:03.972631000 UTC".
    public static func utc(seconds: Int64, nanoseconds: UInt32) -> String {
        let c = civil(seconds)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let day = c.day < 10 ? " \(c.day)" : "\(c.day)"
        let ns = String(nanoseconds)
        return "\(months[Int(c.month) - 1]) \(day), \(c.year) \(two(c.hour)):\(two(c.minute)):\(two(c.second))."
            + String(repeating: "0", count: max(0, 9 - ns.count)) + ns + " UTC"
    }

    /// ISO 8601 with microseconds: "2020-07-02 16:40:03.972631".
    public static func iso(seconds: Int64, nanoseconds: UInt32) -> String {
        let c = civil(seconds)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let micros = String(nanoseconds / 1000)
        return "\(c.year)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second))."
            + String(repeating: "0", count: max(0, 6 - micros.count)) + micros
    }

    public struct Civil: Equatable, Sendable {
        public var year, month, day, hour, minute, second: Int64
    }

    /// UTC calendar fields of a Unix time (Howard Hinnant's civil-from-days).
    public static func civil(_ seconds: Int64) -> Civil {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return Civil(year: y, month: m, day: d, hour: secondOfDay / 3600, minute: secondOfDay / 60 % 60,
                     second: secondOfDay % 60)
    }
}
