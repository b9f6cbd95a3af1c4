// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ShapDrift",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "ShapDrift", targets: ["ShapDrift"]),
        .executable(name: "shapdrift", targets: ["shapdrift"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // OpenBLAS (cblas) and LAPACKE from Debian's libopenblas-dev and liblapacke-dev.
        .systemLibrary(
            name: "CBLAS",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .target(
            name: "ShapDrift",
            dependencies: ["CBLAS", .product(name: "Crypto", package: "swift-crypto")],
            // The numeric kernels are optimised in debug builds too, so the fixture-backed tests
            // run in seconds and exercise the code as users run it.
            swiftSettings: [
                .unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
                .unsafeFlags(["-O"], .when(configuration: .debug)),
            ]
        ),
        .executableTarget(
            name: "shapdrift",
            dependencies: [
                "ShapDrift",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // In-process kernel timings for `make bench` (bench/run.py).
        .executableTarget(
            name: "shapdrift-bench",
            dependencies: ["ShapDrift"]
        ),
        .testTarget(
            name: "ShapDriftTests",
            dependencies: ["ShapDrift"],
            exclude: ["Fixtures"]
        ),
    ]
)
