import Foundation
import Testing

@testable import ReconKit

/// A final document and its ledger entry kept under `Tests/Fixtures/NAME`, as an earlier
/// layout issued them: what the layout tests regenerate byte for byte.
struct DocumentFixture {
    /// The fixture's folder.
    let dir: String
    /// The entry as the ledger held it (its `prev` aside, which no document shows).
    let entry: LedgerEntry

    /// Reads `Tests/Fixtures/NAME/entry.jsonl`, the entry at `seq` of kind `kind`.
    init(_ name: String, seq: Int, kind: String) throws {
        var folder = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { folder.deleteLastPathComponent() }  // <repo>/Tests/ReconKitTests/Documents/DocumentFixture.swift
        dir = folder.path + "/Fixtures/" + name
        let line = try String(contentsOfFile: dir + "/entry.jsonl", encoding: .utf8).trimmingCharacters(in: .newlines)
        let json = try #require(try JSONParser.parse(line).objectValue)
        entry = LedgerEntry(seq: seq, at: try #require(json["at"]?.stringValue), kind: kind,
                            body: try #require(json["body"]?.objectValue), prev: LedgerEntry.zeroHash)
    }

    /// The workbook as it was printed, `file` in the fixture's folder.
    func printed(_ file: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file)) }

    /// `record` written again at the entry's time into `folder`, as `name`: its bytes.
    func regenerated(_ record: DocumentRecord, in folder: String, as name: String) throws -> Data {
        try DocumentWorkbook.write(record, at: entry.at, to: folder + "/" + name)
        return try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
    }
}
