// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "recon",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "recon", targets: ["recon"]),
        .library(name: "ReconKit", targets: ["ReconKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        // libcsv (Debian libcsv-dev ships no pkg-config file: the module map links `csv`).
        .systemLibrary(
            name: "CCSV",
            path: "Sources/CCSV",
            providers: [.apt(["libcsv-dev"])]
        ),
        // libxlsxwriter (Debian libxlsxwriter-dev, pkg-config `xlsxwriter`).
        .systemLibrary(
            name: "CXLSXWriter",
            path: "Sources/CXLSXWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        // zlib (Debian zlib1g-dev, pkg-config `zlib`): reading back the parts of a workbook just written.
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // libxlsxwriter's parts made in memory: its `lxw_tmpfile`, defined again (C, for fopencookie).
        .target(
            name: "CWorkbookParts",
            linkerSettings: [.linkedLibrary("xlsxwriter")]
        ),
        // Memory hints for the loops that read a month's reports at scattered places (C: Swift has no prefetch).
        .target(
            name: "CMemoryHints"
        ),
        // RFC 4180 reading over libcsv: records with their lines, problems a person can fix.
        .target(
            name: "CSV",
            dependencies: ["CCSV"]
        ),
        // Spreadsheet writing over libxlsxwriter: workbooks, sheets, styles, tables, charts.
        .target(
            name: "XLSX",
            dependencies: ["CXLSXWriter", "CZlib", "CWorkbookParts"]
        ),
        // All of the product's logic: drops in, pricing, auditor, ledger, documents out.
        .target(
            name: "ReconKit",
            dependencies: [
                "CSV",
                "XLSX",
                "CMemoryHints",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The demo: a year of a sample site's drops, decisions, closes and reruns, run end to end.
        .target(
            name: "ReconDemo",
            dependencies: [
                "ReconKit",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The `recon` command: argument parsing over ReconKit, nothing else.
        .executableTarget(
            name: "recon",
            dependencies: [
                "ReconKit",
                "ReconDemo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmarks: a month of a million reports, and the Isolation Forest. Run by a README line.
        .executableTarget(
            name: "recon-bench",
            dependencies: ["ReconKit", "ReconDemo"]
        ),
        // What the tests share: a temporary site, and the one way to run a process.
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "ReconKitTests",
            dependencies: ["ReconKit", "ReconDemo", "CSV", "XLSX", "CWorkbookParts", "TestSupport", "recon"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
