/// Where a command's time and memory went, as `recon` reports them under `RECON_STAGES=1`:
/// a stderr line `stages: open=0.123 replay=0.456 …` (seconds, in the order the stages first
/// ran) and a line `memory: open=28 replay=130 … peak=190` (megabytes resident after each
/// stage), each possibly after a prefix such as `recon: `.
struct StageBreakdown {
    var stages: [(name: String, seconds: Double)]
    /// The `memory:` line's megabytes resident after each stage, and the peak (`peak`), when given.
    var resident: [(name: String, megabytes: Int)] = []

    /// The last stages line in `stderr`; nil when there is none (a recon without the switch).
    init?(stderr: String) {
        stages = Self.pairs(in: stderr, tag: "stages: ").compactMap { name, value in
            // The number only: a log format may close the line with a quote or brace.
            Double(value.prefix(while: { $0.isNumber || $0 == "." })).map { (name, $0) }
        }
        if stages.isEmpty { return nil }
        resident = Self.pairs(in: stderr, tag: "memory: ").compactMap { name, value in
            Int(value.prefix(while: \.isNumber)).map { (name, $0) }
        }
    }

    /// The `name=value` pairs of the last line of `stderr` holding `tag`, after it.
    private static func pairs(in stderr: String, tag: String) -> [(String, Substring)] {
        guard let line = stderr.split(whereSeparator: \.isNewline).last(where: { $0.contains(tag) }),
              let start = line.range(of: tag)
        else { return [] }
        return line[start.upperBound...].split(separator: " ").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), parts[1]) : nil
        }
    }

    /// `resident MB after: read 81 · parse 175 · … · peak 239`: the stages that held the most
    /// (`count` of them, in the order they ran), cut into lines of at most `width` characters.
    func memoryLines(width: Int, count: Int = 8) -> [String] {
        let peak = resident.first { $0.name == "peak" }
        let stages = resident.filter { $0.name != "peak" }
        let largest = Set(stages.sorted { $0.megabytes > $1.megabytes }.prefix(count).map(\.name))
        let shown = stages.filter { largest.contains($0.name) } + (peak.map { [$0] } ?? [])
        var items = shown.map { "\($0.name) \($0.megabytes)" }
        if !items.isEmpty { items[0] = "resident MB after: " + items[0] }
        return Self.wrapped(items, width: width)
    }

    /// `open 0.12 s · replay 0.46 s · …`, cut into lines of at most `width` characters.
    func lines(width: Int) -> [String] {
        Self.wrapped(stages.map { "\($0.name) " + String(format: "%.2f s", $0.seconds) }, width: width)
    }

    /// `items` joined by ` · `, a new line begun where the next would pass `width`.
    private static func wrapped(_ items: [String], width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for item in items {
            if line.isEmpty {
                line = item
            } else if line.count + 3 + item.count <= width {
                line += " · " + item
            } else {
                lines.append(line)
                line = item
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
