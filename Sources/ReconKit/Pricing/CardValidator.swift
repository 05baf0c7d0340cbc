/// Rules for a card as a whole (SPEC §3): no two rows with the same matching key; a client
/// schedule's tiers start at 1, neither overlap nor leave gaps, and do not mix tier modes.
public enum CardValidator {
    /// `columns`: each field's column in the drop (1-based), so a problem names where it is.
    public static func check(providerCard rows: [ProviderRate], columns: [String: Int] = [:], problems: ProblemList) {
        var seen: [String: Int] = [:]
        for row in rows {
            if let first = seen[row.key] {
                // Said at its card's date: the row repeats a key of that card.
                problems.add(DropProblem(line: row.line, column: columns["effective_from"], field: "effective_from",
                    "ambiguous card \(row.effectiveFrom): this row has the same grade, modality, urgency and min_seniority_years as line \(first); keep one"))
            } else {
                seen[row.key] = row.line
            }
        }
    }

    /// `columns`: each field's column in the drop (1-based), so a problem names where it is.
    public static func check(clientCard rows: [ClientRate], columns: [String: Int] = [:], problems: ProblemList) {
        var schedules: [ScheduleKey: [ClientRate]] = [:]
        var order: [ScheduleKey] = []
        for row in rows {
            if schedules[row.scheduleKey] == nil { order.append(row.scheduleKey) }
            schedules[row.scheduleKey, default: []].append(row)
        }
        for key in order {
            let tiers = schedules[key]!.sorted { ($0.tierFrom, $0.line) < ($1.tierFrom, $1.line) }
            let card = "card \(tiers[0].effectiveFrom), schedule (\(key.text))"
            if let mixed = tiers.first(where: { $0.tierMode != tiers[0].tierMode }) {
                problems.add(DropProblem(line: mixed.line, column: columns["tier_mode"], field: "tier_mode",
                    "\(card) mixes tier modes (\(tiers[0].tierMode.rawValue) on line \(tiers[0].line), \(mixed.tierMode.rawValue) here); one schedule uses one mode"))
            }
            if tiers[0].tierFrom != 1 {
                problems.add(DropProblem(line: tiers[0].line, column: columns["tier_from"], field: "tier_from",
                    "\(card) starts at tier \(tiers[0].tierFrom); the first tier must start at 1"))
            }
            for (a, b) in zip(tiers, tiers.dropFirst()) {
                guard let aTo = a.tierTo else {
                    problems.add(DropProblem(line: b.line, column: columns["tier_from"], field: "tier_from",
                        "\(card): tier from \(b.tierFrom) overlaps the unbounded tier on line \(a.line)"))
                    continue
                }
                if b.tierFrom <= aTo {
                    problems.add(DropProblem(line: b.line, column: columns["tier_from"], field: "tier_from",
                        "\(card): tier \(b.tierFrom)–\(b.tierTo.map(String.init) ?? "") overlaps tier \(a.tierFrom)–\(aTo) on line \(a.line)"))
                } else if b.tierFrom != aTo + 1 {
                    problems.add(DropProblem(line: b.line, column: columns["tier_from"], field: "tier_from",
                        "\(card): gap between tier \(a.tierFrom)–\(aTo) (line \(a.line)) and tier from \(b.tierFrom); the next tier must start at \(aTo + 1)"))
                }
            }
        }
    }
}
