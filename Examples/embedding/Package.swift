// swift-tools-version:6.2
// A program that depends on ShapDrift the way a user's does — as another package, through the
// `ShapDrift` product — so only the public API is visible to it (`package` symbols are not).
// `make api-check` builds and runs it on the bundled example.
import PackageDescription

let package = Package(
    name: "embed-example",
    dependencies: [.package(name: "ShapDrift", path: "../..")],
    targets: [
        .executableTarget(name: "embed-example", dependencies: [.product(name: "ShapDrift", package: "ShapDrift")]),
    ]
)
