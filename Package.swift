// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "tunnelscope",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tunnelscope", targets: ["tunnelscope"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Thin C modules: system libraries plus tiny shims for what does not import.
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CNCurses", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),

        // The pure core: no C, no Foundation.
        .target(name: "PacketDecoder"),
        .target(name: "PacketOutput", dependencies: ["PacketDecoder"]),

        // Talks to libpcap (and reads pcapng itself, see README "Design").
        .target(name: "Capture", dependencies: ["CPcap", "PacketDecoder"]),

        // Random access to a capture's packets (memory-mapped, indexed in the background).
        .target(name: "PacketStore", dependencies: ["Capture", "PacketDecoder"]),

        // The TUI as data: state, events, rendering to cells with semantic roles (pure).
        .target(name: "ScreenModel", dependencies: ["PacketDecoder", "PacketOutput"]),

        // Command-line wiring.
        .target(name: "TunnelscopeCLI", dependencies: [
            "PacketDecoder", "PacketOutput", "Capture",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "tunnelscope", dependencies: ["TunnelscopeCLI"]),
        .executableTarget(name: "tunnelscope-bench", dependencies: ["PacketDecoder", "PacketOutput"]),
        // Test helper: injects frames on an interface with pcap_inject (the live-capture tests).
        .executableTarget(name: "ts-inject", dependencies: ["Capture", "CPcap", "PacketDecoder"]),

        .target(name: "TestSupport", dependencies: ["PacketDecoder", "Capture"], path: "Tests/TestSupport"),
        .testTarget(name: "PacketDecoderTests", dependencies: ["PacketDecoder", "PacketOutput", "Capture", "TestSupport"]),
        .testTarget(name: "PacketOutputTests", dependencies: ["PacketDecoder", "PacketOutput", "Capture", "TestSupport"]),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "PacketStore", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["TunnelscopeCLI", "TestSupport"]),
        .testTarget(name: "LiveCaptureTests", dependencies: ["Capture", "PacketDecoder", "TestSupport"]),
        .testTarget(name: "ScreenModelTests", dependencies: ["ScreenModel", "PacketDecoder", "TestSupport"]),
    ]
)
