/// Picks the provider rate row that pays a report (SPEC §3, payout of a report).
///
/// Among rows whose grade, modality and urgency equal the radiologist's and report's or are
/// `*`, and whose `min_seniority_years` ≤ the radiologist's seniority: the row with the most
/// named fields; among equals the one naming the earlier field (grade, then modality, then
/// urgency); then the highest `min_seniority_years`.
public enum PayoutMatcher {
    public static func match(_ rows: [ProviderRate], grade: String, modality: String, urgency: Urgency,
                             seniorityYears: Int) -> ProviderRate? {
        matchIndex(rows, grade: grade, modality: modality, urgency: urgency, seniorityYears: seniorityYears).map { rows[$0] }
    }

    /// The position in `rows` of the matching row.
    public static func matchIndex(_ rows: [ProviderRate], grade: String, modality: String, urgency: Urgency,
                                  seniorityYears: Int) -> Int? {
        var best: Int?
        var bestRank: (Int, Int, Int, Int, Int) = (-1, -1, -1, -1, -1)
        for (i, row) in rows.enumerated() {
            if let g = row.grade, g != grade { continue }
            if let m = row.modality, m != modality { continue }
            if let u = row.urgency, u != urgency { continue }
            if row.minSeniorityYears > seniorityYears { continue }
            let named = (row.grade != nil ? 1 : 0, row.modality != nil ? 1 : 0, row.urgency != nil ? 1 : 0)
            let rank = (named.0 + named.1 + named.2, named.0, named.1, named.2, row.minSeniorityYears)
            if rank > bestRank {
                bestRank = rank
                best = i
            }
        }
        return best
    }
}
