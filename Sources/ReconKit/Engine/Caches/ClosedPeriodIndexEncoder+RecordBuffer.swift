extension ClosedPeriodIndexEncoder {
    /// A part's records for a round, in memory it owns: grown as needed, freed by ``deallocate()``.
    struct RecordBuffer {
        private(set) var bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 22, alignment: 8)
        var used = 0

        /// Appends the record of the report at `r`, with the names' numbers in `key`.
        mutating func append(_ key: Key, _ r: UnsafePointer<Report>) {
            if r.pointee.id.utf8.withContiguousStorageIfAvailable({ store(key, r, id: $0) }) == nil {
                var id = r.pointee.id
                id.withUTF8 { store(key, r, id: $0) }
            }
        }

        func deallocate() { bytes.deallocate() }

        /// The layout ``ClosedPeriodIndex`` describes.
        private mutating func store(_ key: Key, _ r: UnsafePointer<Report>, id: UnsafeBufferPointer<UInt8>) {
            let size = ClosedPeriodIndex.fixedRecordBytes + id.count
            if used + size > bytes.count { grow(to: used + size) }
            let at = used
            bytes.storeBytes(of: r.pointee.reportedAt.nanoseconds.littleEndian, toByteOffset: at, as: Int64.self)
            bytes.storeBytes(of: r.pointee.localDate.dayNumber.littleEndian, toByteOffset: at + 8, as: Int32.self)
            bytes.storeBytes(of: key.client.littleEndian, toByteOffset: at + 12, as: UInt32.self)
            bytes.storeBytes(of: key.radiologist.littleEndian, toByteOffset: at + 16, as: UInt32.self)
            bytes.storeBytes(of: key.modality.littleEndian, toByteOffset: at + 20, as: UInt32.self)
            bytes.storeBytes(of: r.pointee.imageCount.littleEndian, toByteOffset: at + 24, as: Int32.self)
            bytes.storeBytes(of: r.pointee.line.littleEndian, toByteOffset: at + 28, as: Int32.self)
            bytes.storeBytes(of: r.pointee.urgency == .stat ? 1 : 0, toByteOffset: at + 32, as: UInt8.self)
            bytes.storeBytes(of: UInt16(id.count).littleEndian, toByteOffset: at + 33, as: UInt16.self)
            UnsafeMutableRawBufferPointer(rebasing: bytes[(at + ClosedPeriodIndex.fixedRecordBytes)..<(at + size)])
                .copyMemory(from: UnsafeRawBufferPointer(id))
            used += size
        }

        private mutating func grow(to size: Int) {
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, bytes.count * 2), alignment: 8)
            larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[..<used]))
            bytes.deallocate()
            bytes = larger
        }
    }
}
