// swift-tools-version:5.9
// A package that depends on HookBridge the way an application would: by git URL and version.
// run.sh sets HOOKBRIDGE_PACKAGE_URL to a temporary repository tagged 0.1.0.
import PackageDescription

guard let hookBridgeURL = Context.environment["HOOKBRIDGE_PACKAGE_URL"] else {
    fatalError("set HOOKBRIDGE_PACKAGE_URL to the HookBridge Swift package's git URL (run.sh does)")
}

let package = Package(
    name: "HookBridgeConsumer",
    platforms: [.macOS(.v12)],
    dependencies: [
        .package(url: hookBridgeURL, from: "0.1.0"),
    ],
    targets: [
        .executableTarget(
            name: "Consumer",
            dependencies: [.product(name: "HookBridge", package: "hookbridge-swift")],
            path: "Sources/Consumer"
        ),
    ]
)
