// swift-tools-version:6.2
// libFuzzer targets for every reader of untrusted input (docs/robustness.md): the model loaders,
// the CSV, JSON Lines and SageMaker capture readers, baseline profiles and job files. Only the
// reader modules (ShapDriftCore, ShapDriftFormats, ShapDriftDrift, ShapDriftMonitor: symbolic
// links to ../Sources) and the targets are built with -sanitize=fuzzer,address; ShapDriftAttribution
// (which the job reader links but never runs), swift-crypto, Yams, OpenBLAS and zlib are linked as
// they are. Built and run by `make fuzz` (scripts/fuzz.sh), never by the main package.
import PackageDescription

let instrumented: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]
let fuzzLink: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer,address", "-use-ld=lld"])]

let targets = ["xgboost-json", "lightgbm-text", "shapdrift-json", "csv", "jsonl", "capture", "profile", "job-yaml"]

let package = Package(
    name: "ShapDriftFuzz",
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS"),
        .systemLibrary(name: "CZlib"),
        .target(name: "ShapDriftCore", dependencies: ["CBLAS", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: instrumented),
        .target(name: "ShapDriftFormats", dependencies: ["ShapDriftCore"], swiftSettings: instrumented),
        .target(name: "ShapDriftDrift", dependencies: ["ShapDriftCore", "CBLAS", "CZlib"], swiftSettings: instrumented),
        .target(name: "ShapDriftAttribution", dependencies: ["ShapDriftCore", "CBLAS"]),
        .target(name: "ShapDriftMonitor",
                dependencies: ["ShapDriftCore", "ShapDriftFormats", "ShapDriftAttribution", "ShapDriftDrift",
                               .product(name: "Yams", package: "Yams")],
                swiftSettings: instrumented),
        .target(name: "CFuzzerDriver"),
        .target(name: "FuzzSupport", dependencies: ["ShapDriftCore", "ShapDriftFormats", "ShapDriftDrift", "ShapDriftMonitor",
                                                    "CFuzzerDriver"],
                swiftSettings: instrumented),
    ] + targets.map { name in
        .executableTarget(name: "fuzz-\(name)", dependencies: ["FuzzSupport", "CFuzzerDriver"], path: "Targets/\(name)",
                          swiftSettings: instrumented, linkerSettings: fuzzLink)
    }
)
