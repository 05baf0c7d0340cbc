/// A state's report-id index and how often its reports were scanned instead: a cache of
/// what `reports` holds, shared by copies of a state until one of them adds reports.
final class ReportIndexCache {
    var index: ReportPositions?
    /// How many lookups scanned the reports instead of using the index.
    var scans = 0

    init(index: ReportPositions? = nil, scans: Int = 0) {
        self.index = index
        self.scans = scans
    }

    func copy() -> ReportIndexCache { ReportIndexCache(index: index, scans: scans) }
}
