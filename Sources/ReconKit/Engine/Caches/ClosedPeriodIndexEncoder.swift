import CMemoryHints
import Crypto
import Dispatch

/// Encodes a closed period's index (``ClosedPeriodIndex``) in passes over the month's
/// reports. With `parallel`, the long passes split in two halves that run on both cores, and
/// what the halves make is put together in the order one core would have made it: the bytes
/// are the same either way.
///
/// 1. By halves of the reports: each report's fingerprint, its names' numbers in a table of
///    names, and its count in the breakdown.
/// 2. By halves of the reports: the reports grouped by bucket (a counting sort).
/// 3. By halves of the buckets: each bucket ordered by fingerprint.
/// 4. One core: the names numbered in the order the records first mention them.
/// 5. By halves of a round of buckets: the records, each bucket's hashes beside them. A round
///    at a time, so the month's records are never held whole.
struct ClosedPeriodIndexEncoder {
    let period: Period
    /// Every report held (`ClosedPeriodIndex.encode`'s `all`); `positions` are the period's.
    let reports: UnsafeBufferPointer<Report>
    let positions: UnsafeBufferPointer<Int32>
    /// Left out of the breakdown.
    let excluded: Set<String>
    let parallel: Bool

    /// A report in the making: its fingerprint, its place in `reports`, and its names' numbers.
    struct Key {
        var fingerprint: UInt64
        var position: Int32
        var client: UInt32
        var radiologist: UInt32
        var modality: UInt32
    }

    private var parts: Int { parallel ? 2 : 1 }
    /// Buckets a part writes in a round: about 64K reports, a few megabytes of records.
    private static let bucketsPerRound = 128

    func encode(to sink: (UnsafeRawBufferPointer) throws -> Void) throws -> String {
        let count = positions.count
        let bits = ClosedPeriodIndex.bucketBits(for: count)
        let bucketCount = 1 << bits
        let (order, starts, tallies) = numberAndGroup(bits: bits)
        defer { order.deallocate() }
        sortBuckets(order, starts: starts, bits: bits)
        let prints = UnsafeMutableRawBufferPointer.allocate(byteCount: count * 8, alignment: 8)
        defer { prints.deallocate() }
        let names = numberNames(order, table: tallies.names, prints: prints)
        if count > 0 { try sink(UnsafeRawBufferPointer(prints)) }
        // Per bucket: its records' length, then the SHA-256 of its fingerprints and of its records.
        var lengths = [Int](repeating: 0, count: bucketCount)
        var hashes = [UInt8](repeating: 0, count: bucketCount * 64)
        try lengths.withUnsafeMutableBufferPointer { lengths in
            try hashes.withUnsafeMutableBytes { hashes in
                try writeRecords(order, starts: starts, prints: UnsafeRawBufferPointer(prints), lengths: lengths, hashes: hashes, to: sink)
            }
        }
        let breakdown = try tallies.encodedBreakdown()
        try breakdown.withUnsafeBytes { try sink($0) }
        let head = try ChunkWriter.bytes { out in
            try out.put(ClosedPeriodIndex.magic)
            try out.put(period.description)
            try out.put(Int64(count))
            try out.put(Int64(names.count))
            for name in names { try out.put(name) }
            try out.put(Int64(breakdown.count))
            try out.put(Array(SHA256.hash(data: breakdown)))
            try out.put(Int64(bucketCount))
            for b in 0..<bucketCount {
                try out.put(Int64(starts[b + 1] - starts[b]))
                try out.put(Int64(lengths[b]))
                try out.put(Array(hashes[(b * 64)..<(b * 64 + 64)]))
            }
        }
        try head.withUnsafeBytes { try sink($0) }
        try withUnsafeBytes(of: Int64(head.count).littleEndian) { try sink($0) }
        return Hex.string(SHA256.hash(data: head))
    }

    // MARK: Passes

    /// Runs `body` for each part, on both cores when parallel.
    private func each(_ body: (Int) -> Void) {
        if parts == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: body) }
    }

    /// Part `p` of `0..<n`: the parts are contiguous and in order.
    private func part(_ p: Int, of n: Int) -> Range<Int> { (n * p / parts)..<(n * (p + 1) / parts) }

    /// Passes 1 and 2: the period's reports as keys grouped by bucket (in order of arrival
    /// within one), where each bucket starts, and the names and breakdown.
    private func numberAndGroup(bits: Int) -> (UnsafeMutableBufferPointer<Key>, [Int], Tallies) {
        let count = positions.count
        let prints = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: count)
        defer { prints.deallocate() }
        let numbers = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: count * 3)
        defer { numbers.deallocate() }
        let exclusion = ExclusionFilter(excluded)
        var found = [Tallies](repeating: Tallies(), count: parts)
        found.withUnsafeMutableBufferPointer { found in
            each { p in
                var t = Tallies()
                for i in part(p, of: count) {
                    let r = reports.baseAddress! + Int(positions[i])
                    let (print, ascii) = ClosedPeriodIndex.fingerprintAndASCII(r.pointee.id)
                    prints[i] = print
                    let client = t.number(r.pointee.clientId), rad = t.number(r.pointee.radiologistId)
                    let modality = t.number(r.pointee.modality)
                    numbers[3 * i] = client
                    numbers[3 * i + 1] = rad
                    numbers[3 * i + 2] = modality
                    if !exclusion.excludes(r.pointee.id, fingerprint: print, ascii: ascii) {
                        t.count(client: client, radiologist: rad, modality: modality, images: Int(r.pointee.imageCount))
                    }
                }
                found[p] = t
            }
        }
        // The later parts' names, numbered in the first part's table.
        var tallies = found[0]
        let maps = [[]] + (1..<parts).map { tallies.merge(found[$0]) }
        // A counting sort by bucket, each part placing its reports after the earlier parts'.
        let bucketCount = 1 << bits
        var counts = [[Int]](repeating: [Int](repeating: 0, count: bucketCount), count: parts)
        counts.withUnsafeMutableBufferPointer { counts in
            each { p in
                for i in part(p, of: count) { counts[p][ClosedPeriodIndex.bucket(prints[i], bits: bits)] += 1 }
            }
        }
        var starts = [Int](repeating: 0, count: bucketCount + 1)
        var next = counts
        for b in 0..<bucketCount {
            var at = starts[b]
            for p in 0..<parts {
                next[p][b] = at
                at += counts[p][b]
            }
            starts[b + 1] = at
        }
        let order = UnsafeMutableBufferPointer<Key>.allocate(capacity: count)
        next.withUnsafeMutableBufferPointer { next in
            each { p in
                func number(_ n: UInt32) -> UInt32 { p == 0 ? n : maps[p][Int(n)] }
                for i in part(p, of: count) {
                    let b = ClosedPeriodIndex.bucket(prints[i], bits: bits)
                    order.initializeElement(at: next[p][b], to: Key(fingerprint: prints[i], position: positions[i],
                                                                     client: number(numbers[3 * i]), radiologist: number(numbers[3 * i + 1]),
                                                                     modality: number(numbers[3 * i + 2])))
                    next[p][b] += 1
                }
            }
        }
        return (order, starts, tallies)
    }

    /// Groups a bucket's reports are counted into by the fingerprint's next bits: 2^9 for the
    /// 512 or so reports of a bucket.
    private static let groupBits = 9

    /// Pass 3: each bucket by fingerprint (and, for two ids with one fingerprint, by id). A
    /// counting sort on the fingerprint's next nine bits leaves groups of one or two, each
    /// then ordered in place: by insertion when small (as good as all), else by a stable sort.
    private func sortBuckets(_ order: UnsafeMutableBufferPointer<Key>, starts: [Int], bits: Int) {
        each { p in
            var held: [Key] = []
            var ends = [Int](repeating: 0, count: (1 << Self.groupBits) + 1)
            func group(_ key: Key) -> Int { Int((key.fingerprint << UInt64(bits)) >> UInt64(64 - Self.groupBits)) }
            for b in part(p, of: starts.count - 1) where starts[b + 1] - starts[b] > 1 {
                let bucket = UnsafeMutableBufferPointer(rebasing: order[starts[b]..<starts[b + 1]])
                held.removeAll(keepingCapacity: true)
                held.append(contentsOf: bucket)
                for g in ends.indices { ends[g] = 0 }
                for key in held { ends[group(key) + 1] += 1 }
                for g in 1..<ends.count { ends[g] += ends[g - 1] }
                for key in held {
                    let g = group(key)
                    bucket[ends[g]] = key
                    ends[g] += 1
                }
                // Group g now ends where group g + 1 started.
                var start = 0
                for end in ends.dropLast() {
                    sortGroup(UnsafeMutableBufferPointer(rebasing: bucket[start..<end]))
                    start = end
                }
            }
        }
    }

    private func sortGroup(_ keys: UnsafeMutableBufferPointer<Key>) {
        guard keys.count > 1 else { return }
        guard keys.count <= 32 else {
            var keys = keys
            return keys.sort(by: before)
        }
        for k in 1..<keys.count {
            let key = keys[k]
            var at = k
            while at > 0 && before(key, keys[at - 1]) {
                keys[at] = keys[at - 1]
                at -= 1
            }
            keys[at] = key
        }
    }

    private func before(_ x: Key, _ y: Key) -> Bool {
        x.fingerprint != y.fingerprint ? x.fingerprint < y.fingerprint
            : reports[Int(x.position)].id.utf8.lexicographicallyPrecedes(reports[Int(y.position)].id.utf8)
    }

    /// Pass 4: numbers the names in the order the records first mention them (client,
    /// radiologist, modality, record after record) and puts those numbers in the keys; writes
    /// the fingerprints' bytes. Returns the names in that order.
    private func numberNames(_ order: UnsafeMutableBufferPointer<Key>, table: IdTable<Void>,
                             prints: UnsafeMutableRawBufferPointer) -> [String] {
        var final = [UInt32](repeating: .max, count: table.count)
        var names: [String] = []
        names.reserveCapacity(table.count)
        func renumber(_ n: inout UInt32) {
            if final[Int(n)] == .max {
                final[Int(n)] = UInt32(names.count)
                names.append(table.entries[Int(n)].id)
            }
            n = final[Int(n)]
        }
        for k in order.indices {
            renumber(&order[k].client)
            renumber(&order[k].radiologist)
            renumber(&order[k].modality)
            prints.storeBytes(of: order[k].fingerprint.littleEndian, toByteOffset: k * 8, as: UInt64.self)
        }
        return names
    }

    /// Pass 5: the records, a round of buckets at a time, handed to `sink` in bucket order.
    private func writeRecords(_ order: UnsafeMutableBufferPointer<Key>, starts: [Int], prints: UnsafeRawBufferPointer,
                              lengths: UnsafeMutableBufferPointer<Int>, hashes: UnsafeMutableRawBufferPointer,
                              to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let bucketCount = starts.count - 1
        var buffers = (0..<parts).map { _ in RecordBuffer() }
        defer { for buffer in buffers { buffer.deallocate() } }
        let perRound = Self.bucketsPerRound * parts
        for first in stride(from: 0, to: bucketCount, by: perRound) {
            let round = first..<min(bucketCount, first + perRound)
            buffers.withUnsafeMutableBufferPointer { buffers in
                each { p in
                    let range = part(p, of: round.count)
                    buffers[p].used = 0
                    for b in (round.lowerBound + range.lowerBound)..<(round.lowerBound + range.upperBound) {
                        let start = buffers[p].used
                        for k in starts[b]..<starts[b + 1] {
                            askAhead(order, from: k)
                            buffers[p].append(order[k], reports.baseAddress! + Int(order[k].position))
                        }
                        lengths[b] = buffers[p].used - start
                        hash(UnsafeRawBufferPointer(rebasing: prints[(starts[b] * 8)..<(starts[b + 1] * 8)]), into: hashes, at: b * 64)
                        hash(UnsafeRawBufferPointer(rebasing: buffers[p].bytes[start..<buffers[p].used]), into: hashes, at: b * 64 + 32)
                    }
                }
            }
            for buffer in buffers where buffer.used > 0 { try sink(UnsafeRawBufferPointer(rebasing: buffer.bytes[..<buffer.used])) }
        }
    }

    /// How many keys ahead of the record being written its report is asked of memory, and
    /// (the report then at hand) its id's bytes when they are held apart from it.
    private static let reportsAhead = 16, idsAhead = 8

    /// Pass 5 takes the reports in fingerprint order, which is no order in memory: each read
    /// of one waited on memory in turn (at 1M, 0.1–0.15 s of a close's processor time, nearly all
    /// of the pass). Asked for some keys ahead, those waits overlap.
    private func askAhead(_ order: UnsafeMutableBufferPointer<Key>, from k: Int) {
        if k + Self.reportsAhead < order.count {
            let report = UnsafeRawPointer(reports.baseAddress! + Int(order[k + Self.reportsAhead].position))
            recon_prefetch(report)
            recon_prefetch(report + (MemoryLayout<Report>.size - 1))
        }
        if k + Self.idsAhead < order.count {
            // A short id is held in the report itself; a longer one's bytes are elsewhere.
            _ = reports[Int(order[k + Self.idsAhead].position)].id.utf8.withContiguousStorageIfAvailable { recon_prefetch($0.baseAddress) }
        }
    }

    private func hash(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, at offset: Int) {
        SHA256.hash(data: bytes).withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: out[offset..<(offset + 32)]).copyMemory(from: $0) }
    }
}
