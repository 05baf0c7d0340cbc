import Foundation

/// A site with `months` closed months of `reports` reports each, ending with 2026-10, built
/// month by month (ingest, then close the day after the month ends); then a 10-row drop
/// into the open month 2026-11 and `recon status`. What a command costs once years of
/// settled history lie behind it.
func runHistoryBenchmark(_ recon: ReconRunner, reports: Int, months: Int) throws {
    let last = BenchData.month
    let first = last.back(months - 1)
    let open = last.next
    BenchTable.title("history: \(months) closed months (\(first) … \(last)) of \(grouped(reports)) reports each, then 2026-11 open")
    try BenchSite.with(recon) { bench in
        try bench.initialise(now: first.morning(of: 1), label: nil)
        var month = first
        let clock = ContinuousClock()
        let start = clock.now
        var peak = 0.0
        for index in 0..<months {
            // Generated, ingested and removed one month at a time: the bench never holds more than one.
            let path = bench.data + "/usage-\(month).csv"
            try BenchData.usage(path, count: reports, first: index * reports, month: month)
            try bench.drop(path)
            let now = month.next.morning(of: 2)
            let isLast = index == months - 1
            let ingest = try bench.run(["ingest"], now: now, label: isLast ? "ingest \(month) (\(grouped(reports)) reports)" : nil)
            try bench.expectInboxDone()
            let close = try bench.run(["close", "\(month)"], now: now, label: isLast ? "close \(month)" : nil)
            peak = max(peak, ingest.peakMB, close.peakMB)
            if !isLast {
                print("  \(month): ingest " + String(format: "%5.2f s (peak %4.0f MB)", ingest.seconds, ingest.peakMB)
                      + ", close " + String(format: "%5.2f s (peak %4.0f MB)", close.seconds, close.peakMB))
            }
            month = month.next
        }
        let built = clock.now - start
        BenchTable.note("(built the history in \(seconds(built)), generating included; peak memory of any command " + String(format: "%.0f MB)", peak))

        // The morning after 2026-11 ends: the month is still open, its last drop arrives.
        let now = open.next.morning(of: 1)
        try bench.settleDocuments(now: now)
        let drop = bench.data + "/usage-\(open)-late.csv"
        try BenchData.usage(drop, count: 10, first: months * reports, month: open)
        try bench.drop(drop)
        try bench.run(["ingest"], now: now, label: "a 10-row drop into the open month \(open)")
        try bench.expectInboxDone()
        try bench.run(["status"], now: now, label: "recon status")
        BenchTable.note("(the issue's targets: the drop ≤ 0.1 s and ≤ 100 MB, status ≤ 0.1 s)")
    }
}
