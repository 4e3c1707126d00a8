// swift-tools-version:5.9
// HookBridge for Swift: the uniffi-generated bindings of the Rust core.
//
// Run ./build.sh first: it builds libhookbridge_uniffi (.dylib / .so) and generates
// Sources/HookBridge/HookBridge.swift and Sources/HookBridgeFFI/HookBridgeFFI.h (both gitignored).
// The library is linked from HOOKBRIDGE_LIB_DIR, by default <repository>/target/debug.
import PackageDescription

let libDir = Context.environment["HOOKBRIDGE_LIB_DIR"] ?? "\(Context.packageDirectory)/../../target/debug"

let package = Package(
    name: "HookBridge",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "HookBridge", targets: ["HookBridge"]),
    ],
    targets: [
        // The C view of the Rust library: the generated header plus a committed module map that
        // links libhookbridge_uniffi.
        .systemLibrary(name: "HookBridgeFFI", path: "Sources/HookBridgeFFI"),
        // The generated Swift API (never edited by hand).
        .target(
            name: "HookBridge",
            dependencies: ["HookBridgeFFI"],
            path: "Sources/HookBridge",
            linkerSettings: [
                .linkedLibrary("hookbridge_uniffi"),
                .unsafeFlags(["-L", libDir, "-Xlinker", "-rpath", "-Xlinker", libDir]),
            ]
        ),
        .testTarget(
            name: "HookBridgeTests",
            dependencies: ["HookBridge"],
            path: "Tests/HookBridgeTests"
        ),
    ]
)
