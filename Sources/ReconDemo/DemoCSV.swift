import Foundation
import ReconKit

/// CSV text as finance staff export it: a header row, LF line ends, fields quoted only when needed.
enum DemoCSV {
    static func text(header: [String], rows: [[String]]) -> String {
        var out = line(header)
        out.reserveCapacity(rows.count * 80)
        for r in rows { out += line(r) }
        return out
    }

    static func line(_ fields: [String]) -> String {
        fields.map(quoted).joined(separator: ",") + "\n"
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
