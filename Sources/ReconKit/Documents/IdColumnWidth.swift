/// The width of a column of ids (a client's, a report's) on the derived workbooks: as wide as
/// the longest and a margin, as the `Lines` sheet sizes party_id. Cut by the cell beside it, an
/// id read as another sharing its start. SPEC §2's ids run to 64 characters: 66 holds any.
enum IdColumnWidth {
    static let cap = 66

    /// At least `minimum` (the column's width for short ids), at most `maximum` (``cap``; more
    /// for a text that holds an id and more, as a draft's `DRAFT-` and its party's id).
    static func width(_ ids: some Sequence<String>, atLeast minimum: Double, atMost maximum: Int = cap) -> Double {
        let longest = ids.reduce(0) { max($0, $1.count) }
        return min(Double(maximum), max(minimum, Double(longest + 2)))
    }
}
