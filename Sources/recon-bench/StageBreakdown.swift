/// Where a command's time went, as `recon` reports it under `RECON_STAGES=1`: one stderr
/// line `stages: open=0.123 replay=0.456 …` (seconds, in the order the stages first ran),
/// possibly after a prefix such as `recon: `.
struct StageBreakdown {
    var stages: [(name: String, seconds: Double)]
    /// The `memory:` line's megabytes resident after each stage, and the peak (`peak`), when given.
    var resident: [(name: String, megabytes: Int)] = []

    /// The last stages line in `stderr`; nil when there is none (a recon without the switch).
    init?(stderr: String) {
        guard let line = stderr.split(whereSeparator: \.isNewline).last(where: { $0.contains("stages: ") }),
              let start = line.range(of: "stages: ")
        else { return nil }
        stages = line[start.upperBound...].split(separator: " ").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1)
            // The number only: a log format may close the line with a quote or brace.
            guard parts.count == 2, let seconds = Double(parts[1].prefix(while: { $0.isNumber || $0 == "." })) else { return nil }
            return (String(parts[0]), seconds)
        }
        if stages.isEmpty { return nil }
        if let memory = stderr.split(whereSeparator: \.isNewline).last(where: { $0.contains("memory: ") }),
           let start = memory.range(of: "memory: ") {
            resident = memory[start.upperBound...].split(separator: " ").compactMap { pair in
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let mb = Int(parts[1].prefix(while: \.isNumber)) else { return nil }
                return (String(parts[0]), mb)
            }
        }
    }

    /// `resident MB after: read 81 · parse 175 · … · peak 239`: the stages that held the most
    /// (`count` of them, in the order they ran), cut into lines of at most `width` characters.
    func memoryLines(width: Int, count: Int = 8) -> [String] {
        let peak = resident.first { $0.name == "peak" }
        let stages = resident.filter { $0.name != "peak" }
        let largest = Set(stages.sorted { $0.megabytes > $1.megabytes }.prefix(count).map(\.name))
        let shown = stages.filter { largest.contains($0.name) } + (peak.map { [$0] } ?? [])
        guard !shown.isEmpty else { return [] }
        var lines: [String] = []
        var line = "resident MB after:"
        for (i, stage) in shown.enumerated() {
            let item = "\(stage.name) \(stage.megabytes)"
            if line.count + 3 + item.count > width {
                lines.append(line)
                line = item
            } else {
                line += (i == 0 ? " " : " · ") + item
            }
        }
        lines.append(line)
        return lines
    }

    /// `open 0.12 s · replay 0.46 s · …`, cut into lines of at most `width` characters.
    func lines(width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for stage in stages {
            let item = "\(stage.name) " + String(format: "%.2f s", stage.seconds)
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
