// swift-tools-version:6.2
// 6.2: `SendableMetatype` (the attribution kernels' worker protocol) and `package` access across
// the library's modules.
import PackageDescription

// The library is split into modules whose imports are its layering (docs/architecture.md):
//
//   ShapDriftCore ─┬─ ShapDriftFormats ─────────┐
//                  ├─ ShapDriftAttribution ─────┼─ ShapDriftMonitor ─┐
//                  ├─ ShapDriftDrift ──┬────────┘                    ├─ ShapDrift (umbrella) ─ shapdrift (CLI)
//                  │                   └─ ShapDriftReports ──────────┘
//
// Every arrow points from a module to the ones it imports, never upwards; no target uses unsafe
// compiler flags, so the release binary keeps its bounds and precondition checks.
let package = Package(
    name: "ShapDrift",
    products: [
        .library(name: "ShapDrift", targets: ["ShapDrift"]),
        .executable(name: "shapdrift", targets: ["shapdrift"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // Job files (`shapdrift run job.yaml`): a YAML 1.1 parser whose nodes carry their line.
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        // report.html and history.html: logic-less templates that escape every value (docs/architecture.md, Reports).
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // The tool's diagnostics (-v, --log-level).
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // OpenBLAS (cblas) and LAPACKE from Debian's libopenblas-dev and liblapacke-dev.
        .systemLibrary(
            name: "CBLAS",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .target(
            name: "ShapDriftCore",
            dependencies: ["CBLAS", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "ShapDriftFormats", dependencies: ["ShapDriftCore"]),
        .target(name: "ShapDriftAttribution", dependencies: ["ShapDriftCore", "CBLAS"]),
        // zlib from Debian's zlib1g-dev: DEFLATE for the compact profile encoding.
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "ShapDriftDrift", dependencies: ["ShapDriftCore", "CBLAS", "CZlib"]),
        .target(
            name: "ShapDriftMonitor",
            dependencies: ["ShapDriftCore", "ShapDriftFormats", "ShapDriftAttribution", "ShapDriftDrift",
                           .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "ShapDriftReports",
            dependencies: ["ShapDriftCore", "ShapDriftDrift", .product(name: "Mustache", package: "swift-mustache")]
        ),
        .target(
            name: "ShapDrift",
            dependencies: [
                "ShapDriftCore", "ShapDriftFormats", "ShapDriftAttribution", "ShapDriftDrift",
                "ShapDriftMonitor", "ShapDriftReports",
            ]
        ),
        .executableTarget(
            name: "shapdrift",
            dependencies: [
                "ShapDrift",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // In-process kernel timings for `make bench` (bench/run.py).
        .executableTarget(name: "shapdrift-bench", dependencies: ["ShapDrift"]),
        // Helpers the test targets share: fixture paths, reference tables, running the binary.
        .target(name: "ShapDriftTestSupport", dependencies: ["ShapDrift"], path: "Tests/ShapDriftTestSupport"),
        .testTarget(name: "ShapDriftCoreTests", dependencies: ["ShapDriftCore", "ShapDriftTestSupport"]),
        .testTarget(
            name: "ShapDriftFormatsTests",
            dependencies: ["ShapDriftCore", "ShapDriftFormats", "ShapDriftAttribution", "ShapDriftTestSupport"]
        ),
        .testTarget(
            name: "ShapDriftAttributionTests",
            dependencies: ["ShapDriftCore", "ShapDriftFormats", "ShapDriftAttribution", "ShapDriftTestSupport"]
        ),
        .testTarget(name: "ShapDriftDriftTests", dependencies: ["ShapDriftCore", "ShapDriftDrift", "ShapDriftTestSupport"]),
        .testTarget(
            name: "ShapDriftMonitorTests",
            dependencies: [
                "ShapDriftCore", "ShapDriftFormats", "ShapDriftAttribution", "ShapDriftDrift", "ShapDriftMonitor",
                "ShapDriftReports", "ShapDriftTestSupport",
            ]
        ),
        .testTarget(
            name: "ShapDriftReportsTests",
            dependencies: ["ShapDriftCore", "ShapDriftDrift", "ShapDriftReports", "ShapDriftTestSupport"]
        ),
        .testTarget(
            name: "ShapDriftCommandLineTests",
            dependencies: ["ShapDriftCore", "ShapDriftFormats", "ShapDriftDrift", "ShapDriftTestSupport"]
        ),
        // Imports only the public `ShapDrift` product, as an embedding program does.
        .testTarget(name: "ShapDriftAPITests", dependencies: ["ShapDrift"]),
    ]
)
