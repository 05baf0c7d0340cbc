/// Fixed-size pieces of a binary encoding, handed to a sink as each fills.
struct ChunkWriter {
    private var buffer: UnsafeMutableRawBufferPointer
    private var used = 0
    private let sink: (UnsafeRawBufferPointer) throws -> Void

    /// `chunk`: the piece size; small encodings (an index bucket) take a small one.
    static func writing(to sink: (UnsafeRawBufferPointer) throws -> Void, chunk: Int = 1 << 20,
                        _ body: (inout ChunkWriter) throws -> Void) rethrows {
        try withoutActuallyEscaping(sink) { sink in
            var writer = ChunkWriter(buffer: .allocate(byteCount: chunk, alignment: 8), sink: sink)
            defer { writer.buffer.deallocate() }
            try body(&writer)
            try writer.flush()
        }
    }

    /// What `body` writes, as bytes in memory (a small encoding: an index's table).
    static func bytes(_ body: (inout ChunkWriter) throws -> Void) rethrows -> [UInt8] {
        var out: [UInt8] = []
        try writing(to: { out.append(contentsOf: $0) }, chunk: 1 << 16, body)
        return out
    }

    private init(buffer: UnsafeMutableRawBufferPointer, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.buffer = buffer
        self.sink = sink
    }

    mutating func put(_ v: Int64) throws {
        if used + 8 > buffer.count { try flush() }
        buffer.storeBytes(of: v.littleEndian, toByteOffset: used, as: Int64.self)
        used += 8
    }

    /// `count` bytes stored by `body` at the address it is given (a record of fixed-width
    /// fields written with one check of the room left instead of one per field).
    mutating func put(count: Int, _ body: (UnsafeMutableRawPointer) -> Void) throws {
        if used + count > buffer.count { try flush() }
        guard count <= buffer.count else {
            let piece = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 8)
            defer { piece.deallocate() }
            body(piece.baseAddress!)
            return try sink(UnsafeRawBufferPointer(piece))
        }
        body(buffer.baseAddress! + used)
        used += count
    }

    /// A string as its UTF-8 length, then its bytes.
    mutating func put(_ s: String) throws {
        var s = s
        try put(Int64(s.utf8.count))
        try s.withUTF8 { try put(UnsafeRawBufferPointer($0)) }
    }

    mutating func put(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try put($0) }
    }

    private mutating func put(_ bytes: UnsafeRawBufferPointer) throws {
        if used + bytes.count > buffer.count { try flush() }
        if bytes.count > buffer.count { return try sink(bytes) }
        UnsafeMutableRawBufferPointer(rebasing: buffer[used..<(used + bytes.count)]).copyMemory(from: bytes)
        used += bytes.count
    }

    mutating func flush() throws {
        guard used > 0 else { return }
        try sink(UnsafeRawBufferPointer(rebasing: buffer[..<used]))
        used = 0
    }
}
