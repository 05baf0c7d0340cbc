import Crypto
import Dispatch

/// Encodes a closed period's index (``ClosedPeriodIndex``) in passes over the month's
/// reports. With `parallel`, the long passes split in two halves that run on both cores, and
/// what the halves make is put together in the order one core would have made it: the bytes
/// are the same either way.
///
/// 1. By halves of the reports: each report's fingerprint, its names' numbers in a table of
///    names, and its count in the breakdown.
/// 2. One core: the reports grouped by bucket and within it by the fingerprint's next bits (a
///    counting sort).
/// 3. By halves of the buckets: each group ordered by fingerprint.
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
        let (order, groupStarts, tallies) = numberAndGroup(bits: bits)
        defer { order.deallocate() }
        sortGroups(order, starts: groupStarts)
        let starts = (0...bucketCount).map { Int(groupStarts[$0 << Self.groupBits]) }
        groupStarts.deallocate()
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

    /// Passes 1 and 2: the period's reports as keys grouped by the fingerprint's top bits (in
    /// order of arrival within a group), where each group starts, and the names and breakdown.
    private func numberAndGroup(bits: Int) -> (UnsafeMutableBufferPointer<Key>, UnsafeMutableBufferPointer<Int32>, Tallies) {
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
        // The later parts' numbers, in the first part's table.
        var tallies = found[0]
        for p in 1..<parts {
            let map = tallies.merge(found[p])
            for j in (3 * part(p, of: count).lowerBound)..<(3 * part(p, of: count).upperBound) { numbers[j] = map[Int(numbers[j])] }
        }
        // Grouped by the fingerprint's top `bits + groupBits` bits: a bucket's reports in
        // groups of one or two, each then ordered in place (pass 3).
        let groupBits = bits + Self.groupBits
        let ends = UnsafeMutableBufferPointer<Int32>.allocate(capacity: (1 << groupBits) + 1)
        ends.initialize(repeating: 0)
        for print in prints { ends[ClosedPeriodIndex.bucket(print, bits: groupBits) + 1] += 1 }
        for g in 0..<(1 << groupBits) { ends[g + 1] += ends[g] }
        let order = UnsafeMutableBufferPointer<Key>.allocate(capacity: count)
        for i in 0..<count {
            let g = ClosedPeriodIndex.bucket(prints[i], bits: groupBits)
            order.initializeElement(at: Int(ends[g]), to: Key(fingerprint: prints[i], position: positions[i], client: numbers[3 * i],
                                                               radiologist: numbers[3 * i + 1], modality: numbers[3 * i + 2]))
            ends[g] += 1
        }
        // Each group's end is now the next one's start.
        for g in stride(from: 1 << groupBits, to: 0, by: -1) { ends[g] = ends[g - 1] }
        ends[0] = 0
        return (order, ends, tallies)
    }

    /// Fingerprint bits below a bucket's that group its reports before they are ordered: 2^9
    /// groups for the 512 or so reports of a bucket.
    private static let groupBits = 9

    /// Pass 3: each group by fingerprint (and, for two ids with one fingerprint, by id), in
    /// place: by insertion for the small ones (as good as all), else by a stable sort.
    private func sortGroups(_ order: UnsafeMutableBufferPointer<Key>, starts: UnsafeMutableBufferPointer<Int32>) {
        let bucketCount = (starts.count - 1) >> Self.groupBits
        each { p in
            let buckets = part(p, of: bucketCount)
            for g in (buckets.lowerBound << Self.groupBits)..<(buckets.upperBound << Self.groupBits) {
                let (start, end) = (Int(starts[g]), Int(starts[g + 1]))
                if end - start > 32 {
                    var group = UnsafeMutableBufferPointer(rebasing: order[start..<end])
                    group.sort(by: before)
                    continue
                }
                guard end - start > 1 else { continue }
                for k in (start + 1)..<end {
                    let key = order[k]
                    var at = k
                    while at > start && before(key, order[at - 1]) {
                        order[at] = order[at - 1]
                        at -= 1
                    }
                    order[at] = key
                }
            }
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
                        for k in starts[b]..<starts[b + 1] { buffers[p].append(order[k], reports.baseAddress! + Int(order[k].position)) }
                        lengths[b] = buffers[p].used - start
                        hash(UnsafeRawBufferPointer(rebasing: prints[(starts[b] * 8)..<(starts[b + 1] * 8)]), into: hashes, at: b * 64)
                        hash(UnsafeRawBufferPointer(rebasing: buffers[p].bytes[start..<buffers[p].used]), into: hashes, at: b * 64 + 32)
                    }
                }
            }
            for buffer in buffers where buffer.used > 0 { try sink(UnsafeRawBufferPointer(rebasing: buffer.bytes[..<buffer.used])) }
        }
    }

    private func hash(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer, at offset: Int) {
        SHA256.hash(data: bytes).withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: out[offset..<(offset + 32)]).copyMemory(from: $0) }
    }
}
