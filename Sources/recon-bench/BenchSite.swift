import Foundation

/// A temporary site and a folder for its generated drops, under one temporary folder
/// that ``with(_:_:)`` removes however the benchmark ends.
struct BenchSite {
    let recon: ReconRunner
    /// The site folder (`recon init` creates it).
    let site: String
    /// Where drops are generated before they are renamed into the Inbox.
    let data: String

    /// Runs `body` with a fresh temporary site, then removes it, also when `body` throws.
    /// `RECON_BENCH_KEEP=DIR` keeps the site there instead, to measure more commands on it.
    static func with<T>(_ recon: ReconRunner, _ body: (BenchSite) throws -> T) throws -> T {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.path + "/recon-bench-" + UUID().uuidString
        defer { try? fm.removeItem(atPath: root) }
        let bench = BenchSite(recon: recon, site: root + "/site", data: root + "/data")
        try fm.createDirectory(atPath: bench.data, withIntermediateDirectories: true)
        let result = try body(bench)
        if let keep = ProcessInfo.processInfo.environment["RECON_BENCH_KEEP"], !keep.isEmpty {
            try? fm.removeItem(atPath: keep)
            try fm.moveItem(atPath: bench.site, toPath: keep)
            print("  (the site is kept in \(keep))")
        }
        return result
    }

    var inbox: String { site + "/Inbox" }

    /// `recon init`, then the master data, cards and FX ingested as named files, at `now`.
    func initialise(now: String, label: String? = "master data and cards") throws {
        try recon.run(["init", "--site", site, "--name", "bench", "--base-currency", "INR"], now: now, label: nil)
        let files = try BenchData.writeMasterData(to: data)
        sync()
        try recon.run(["ingest", "--site", site] + files, now: now, label: label)
    }

    /// Puts a generated drop into the Inbox by rename, as finance staff do (SPEC §2).
    func drop(_ path: String) throws {
        try FileManager.default.moveItem(atPath: path, toPath: inbox + "/" + URL(fileURLWithPath: path).lastPathComponent)
    }

    /// `recon ARGS --site SITE` at `now`. A measured command (one with a `label`) runs
    /// ``ReconRunner/runs`` times, each from the same site: the site is copied before the
    /// first run and put back before each further one. Its row shows the median run, the
    /// range of the wall times and the most memory any run took; the site is left as the last
    /// run left it.
    @discardableResult
    func run(_ args: [String], now: String, label: String?, expecting: Set<Int32> = [0]) throws -> Timing {
        guard let label, recon.runs > 1 else {
            if label != nil { settle() }
            return try recon.run(args + ["--site", site], now: now, label: label, expecting: expecting)
        }
        let before = site + ".before"
        try copyTree(site, to: before)
        defer { try? FileManager.default.removeItem(atPath: before) }
        var runs: [Timing] = []
        for run in 0..<recon.runs {
            if run > 0 { try restore(from: before) }
            settle()
            runs.append(try recon.run(args + ["--site", site], now: now, label: nil, expecting: expecting))
        }
        let timing = Timing.median(of: runs)
        BenchTable.row(label, timing)
        return timing
    }

    /// Before a measured run: what the benchmark wrote (a copied site, generated drops) is put
    /// on disk first, else the command's first `fsync` waits for it too (ext4 commits it with its
    /// journal); then the machine idles as long as ``ReconRunner/idle`` asks.
    func settle() {
        sync()
        if recon.idle > 0 { Thread.sleep(forTimeInterval: Double(recon.idle)) }
    }

    /// `cp -a`: modes kept (the site key must stay private), hard to get right by hand.
    func copyTree(_ from: String, to: String) throws {
        let cp = Process()
        cp.executableURL = URL(fileURLWithPath: "/bin/cp")
        cp.arguments = ["-a", from, to]
        try cp.run()
        cp.waitUntilExit()
        guard cp.terminationStatus == 0 else { throw BenchFailure("cp -a \(from) \(to) exited \(cp.terminationStatus)") }
    }

    /// Fails unless every drop left the Inbox and none was rejected or held: numbers over
    /// drops that were not applied would mean nothing.
    func expectInboxDone() throws {
        let fm = FileManager.default
        let left = try fm.contentsOfDirectory(atPath: inbox).filter { !["held", "rejected", "README.md"].contains($0) && !$0.hasPrefix(".") }
        let rejected = (try? fm.contentsOfDirectory(atPath: inbox + "/rejected")) ?? []
        let held = (try? fm.contentsOfDirectory(atPath: inbox + "/held")) ?? []
        guard left.isEmpty, rejected.isEmpty, held.isEmpty else {
            throw BenchFailure("the Inbox was not cleanly taken: \(left.count) left, \(rejected.count) rejected (\(rejected.prefix(3).joined(separator: ", "))), \(held.count) held")
        }
    }
}
