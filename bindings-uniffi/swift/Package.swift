// swift-tools-version:5.9
// HookBridge for Swift: the uniffi-generated bindings of the Rust core.
//
// Run ./build.sh first: it builds libhookbridge_uniffi (.dylib / .so), generates
// Sources/HookBridge/HookBridge.swift and Sources/HookBridgeFFI/HookBridgeFFI.h (both gitignored)
// and writes hookbridge_uniffi.pc next to the library (<target>/debug/pkgconfig). SwiftPM links the
// library through that pkg-config file: put its folder on PKG_CONFIG_PATH, and the library's
// folder on LD_LIBRARY_PATH (Linux) or DYLD_LIBRARY_PATH (macOS) to run what you build. No unsafe
// flags, so other packages can depend on this one by git URL and version.
import PackageDescription

let package = Package(
    name: "HookBridge",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "HookBridge", targets: ["HookBridge"]),
    ],
    targets: [
        // The C view of the Rust library: the generated header plus a committed module map that
        // links libhookbridge_uniffi, found through pkg-config.
        .systemLibrary(name: "HookBridgeFFI", path: "Sources/HookBridgeFFI", pkgConfig: "hookbridge_uniffi"),
        // The generated Swift API (never edited by hand).
        .target(
            name: "HookBridge",
            dependencies: ["HookBridgeFFI"],
            path: "Sources/HookBridge"
        ),
        .testTarget(
            name: "HookBridgeTests",
            dependencies: ["HookBridge"],
            path: "Tests/HookBridgeTests"
        ),
    ]
)
