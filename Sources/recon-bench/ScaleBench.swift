import Foundation

/// A month of `reports` reports over 200 clients and 300 radiologists, run through the real
/// `recon` binary in a temporary site: ingest, status, a further drop, close and verify,
/// each with its wall time, peak memory and stage breakdown.
///
/// With `compare`, the same further drop then goes into a month holding a tenth as many
/// reports, so the two times can be set side by side (a drop should cost what it holds), and
/// into a month of as many reports taken in 30 daily drops, as a site builds its months.
/// With `backlog`, that many small drops then wait in the Inbox at once and `recon watch
/// --once` takes them, before the close (`backlog` measures it apart at the default size).
func runScaleBenchmark(_ recon: ReconRunner, name: String, reports: Int, further: Int, compare: Bool,
                       backlog: (drops: Int, rows: Int)? = nil) throws {
    BenchTable.title("\(name): \(grouped(reports)) reports in one month (\(BenchData.month)), 200 clients, 300 radiologists")
    let now = BenchData.month.next.morning(of: 2)
    let intoFull = try BenchSite.with(recon) { bench -> Timing in
        try bench.initialise(now: now)
        let month = bench.data + "/usage-month.csv", more = bench.data + "/usage-more.csv"
        let generating = try ContinuousClock().measure {
            try BenchData.usage(month, count: reports, first: 0, month: BenchData.month)
            try BenchData.usage(more, count: further, first: reports, month: BenchData.month)
        }
        BenchTable.note("(generated the month's CSV in \(seconds(generating)))")
        try bench.drop(month)
        let ingest = try bench.run(["ingest"], now: now, label: "ingest \(grouped(reports)) reports (recon ingest, whole Inbox)")
        let status = try bench.run(["status"], now: now, label: "recon status on the month")
        try bench.drop(more)
        let drop = try bench.run(["ingest"], now: now, label: "a further \(grouped(further))-report drop into that month")
        try bench.expectInboxDone()
        var backlogRun: Timing?
        if let backlog {
            let drops = try BenchData.smallDrops(into: bench.data, drops: backlog.drops, rows: backlog.rows,
                                                 first: reports + further, month: BenchData.month, name: "watched")
            try drops.forEach(bench.drop)
            backlogRun = try bench.run(["watch", "--once"], now: now,
                                       label: "\(backlog.drops) drops of \(backlog.rows) reports by recon watch --once (incl. the 1 s hold-still)")
            try bench.expectInboxDone()
            BenchTable.note("(the issue's target: \(backlog.drops) small drops by the watcher in under 10 s)")
        }
        let close = try bench.run(["close", "\(BenchData.month)"], now: now, label: "close the month (invoices, payouts, review, checkpoint)")
        let verify = try bench.run(["verify"], now: now, label: "recon verify")
        let peak = ([ingest, status, drop, close, verify] + (backlogRun.map { [$0] } ?? [])).map(\.peakMB).max() ?? 0
        BenchTable.note(String(format: "ingest + close of the month: %.2f s; peak memory of any command: %.0f MB",
                               ingest.seconds + close.seconds, peak))
        return drop
    }
    BenchTable.note("(the issue's targets: ingest + close ≤ 1.5 s at 1M; the further drop ≤ 0.3 s; peak ≤ 300 MB at 1M,")
    // 300 MB at a million reports, then at most 150 MB more per further million.
    let peakTarget = reports > 1_000_000 ? ": ≤ \(300 + 150 * (reports - 1_000_000) / 1_000_000) MB at \(grouped(reports))" : ""
    BenchTable.note(" growing ≤ 150 MB per further million\(peakTarget))")
    guard compare else { return }

    let smaller = max(reports / 10, 100)
    BenchTable.title("the same \(grouped(further))-report drop into a month holding \(grouped(smaller)) reports")
    let intoSmaller = try BenchSite.with(recon) { bench -> Timing in
        try bench.initialise(now: now, label: nil)
        let month = bench.data + "/usage-month.csv"
        try BenchData.usage(month, count: smaller, first: 0, month: BenchData.month)
        try bench.drop(month)
        try bench.run(["ingest"], now: now, label: "ingest \(grouped(smaller)) reports")
        // Numbered after the bigger month's reports: the very drop the first site took.
        return try furtherDrop(bench, count: further, first: reports, now: now)
    }
    BenchTable.note("the further drop: " + String(format: "%.2f s", intoSmaller.seconds) + " into \(grouped(smaller)) reports, "
                    + String(format: "%.2f s", intoFull.seconds) + " into \(grouped(reports)): "
                    + String(format: "%.2f×", intoFull.seconds / max(intoSmaller.seconds, 1e-9))
                    + " (the issue's target: the same ±20%)")

    // A month as finance staff build it: a drop a day. Each command reads every one of them.
    let days = 30, daily = reports / days
    BenchTable.title("the same \(grouped(further))-report drop into a month of \(grouped(days * daily)) reports taken in \(days) daily drops")
    let intoDaily = try BenchSite.with(recon) { bench -> Timing in
        try bench.initialise(now: now, label: nil)
        let drops = try BenchData.smallDrops(into: bench.data, drops: days, rows: daily, first: 0, month: BenchData.month, name: "day")
        for day in drops {
            try bench.drop(day)
            try bench.run(["ingest"], now: now, label: nil)
        }
        return try furtherDrop(bench, count: further, first: reports, now: now)
    }
    BenchTable.note("the further drop into the month of daily drops: " + String(format: "%.2f s", intoDaily.seconds) + ", "
                    + String(format: "%.2f×", intoDaily.seconds / max(intoSmaller.seconds, 1e-9)) + " the drop into \(grouped(smaller))")
}

/// Measures a drop of `count` reports numbered from `first` into the month `bench` holds.
private func furtherDrop(_ bench: BenchSite, count: Int, first: Int, now: String) throws -> Timing {
    let more = bench.data + "/usage-more.csv"
    try BenchData.usage(more, count: count, first: first, month: BenchData.month)
    try bench.drop(more)
    let drop = try bench.run(["ingest"], now: now, label: "a further \(grouped(count))-report drop into that month")
    try bench.expectInboxDone()
    return drop
}

/// `1,000,000`.
func grouped(_ n: Int) -> String {
    let digits = String(n)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(c)
    }
    return out
}

/// `1.23 s`.
func seconds(_ d: Duration) -> String {
    String(format: "%.2f s", Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
}
