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
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // Thin C modules: system libraries plus tiny shims for what does not import.
        .systemLibrary(name: "CPcap", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CNCurses", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),

        // The pure core: no C, no Foundation.
        .target(name: "PacketDecoder"),
        .target(name: "PacketOutput", dependencies: ["PacketDecoder"]),
        .target(name: "DisplayFilter", dependencies: ["PacketDecoder"]),

        // Talks to libpcap (and reads pcapng itself, see README "Design").
        .target(name: "Capture", dependencies: ["CPcap", "PacketDecoder"]),

        // Random access to a capture's packets (memory-mapped, indexed in the background).
        .target(name: "PacketStore", dependencies: ["Capture", "PacketDecoder"]),

        // The TUI as data: state, events, rendering to cells with semantic roles (pure).
        .target(name: "ScreenModel", dependencies: ["PacketDecoder", "PacketOutput"]),

        // Draws a Screen with ncurses and reads keys, mouse and resizes; a recording backend for tests.
        .target(name: "TerminalUI", dependencies: ["CNCurses", "ScreenModel"]),
        // TOML colour themes (built-ins embedded, the user's folder first) -> Theme.
        .target(name: "ThemeFiles", dependencies: ["ScreenModel", .product(name: "TOMLKit", package: "TOMLKit")]),
        // A fixed screen drawn with CursesTerminal that echoes its input: driven by the tmux tests.
        .executableTarget(name: "terminal-demo", dependencies: ["TerminalUI", "ThemeFiles"]),

        // The interactive program: event loop, background indexing and filtering.
        .target(name: "TunnelscopeApp", dependencies: [
            "PacketDecoder", "PacketStore", "ScreenModel", "TerminalUI", "ThemeFiles", "DisplayFilter", "Capture",
        ]),

        // Classroom walkthroughs: lessons (TOML), step resolution, the generic tour, handouts (pure).
        .target(name: "Walkthrough", dependencies: [
            "PacketDecoder", "DisplayFilter", .product(name: "TOMLKit", package: "TOMLKit"),
        ]),

        // The article's lab in network namespaces: topology, 6in4 endpoint, ping and traceroute (Glibc).
        .target(name: "Lab"),

        // Command-line wiring.
        .target(name: "TunnelscopeCLI", dependencies: [
            "PacketDecoder", "PacketOutput", "Capture", "PacketStore", "DisplayFilter", "TunnelscopeApp",
            "TerminalUI", "ThemeFiles", "ScreenModel", "Walkthrough", "Lab",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "tunnelscope", dependencies: ["TunnelscopeCLI"]),
        .executableTarget(name: "tunnelscope-bench", dependencies: ["PacketDecoder", "PacketOutput", "DisplayFilter", "Workload"]),
        // The benchmark's seeded traffic mix (bench and tests).
        .target(name: "Workload"),
        // Test helper: injects frames on an interface with pcap_inject (the live-capture tests).
        .executableTarget(name: "ts-inject", dependencies: ["Capture", "CPcap", "PacketDecoder"]),

        .target(name: "TestSupport", dependencies: ["PacketDecoder", "Capture"], path: "Tests/TestSupport"),
        .testTarget(name: "PacketDecoderTests", dependencies: ["PacketDecoder", "PacketOutput", "Capture", "TestSupport"]),
        .testTarget(name: "PacketOutputTests", dependencies: ["PacketDecoder", "PacketOutput", "Capture", "TestSupport", "Workload"]),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "PacketStore", "TestSupport"]),
        .testTarget(name: "DisplayFilterTests", dependencies: ["DisplayFilter", "PacketDecoder", "TestSupport", "Capture", "Workload"], exclude: ["Fixtures"]),
        .testTarget(name: "CLITests", dependencies: ["TunnelscopeCLI", "TestSupport"]),
        .testTarget(name: "LiveCaptureTests", dependencies: ["Capture", "PacketDecoder", "TestSupport"]),
        .testTarget(name: "LabTests", dependencies: ["Lab", "Capture", "PacketDecoder", "TestSupport"]),
        .testTarget(name: "ScreenModelTests", dependencies: ["ScreenModel", "PacketDecoder", "TestSupport"]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI", "ThemeFiles", "ScreenModel", "CNCurses", "TestSupport"]),
        .testTarget(name: "TUITests", dependencies: ["TestSupport"]),
        .testTarget(name: "WalkthroughTests", dependencies: ["Walkthrough", "PacketDecoder", "ScreenModel", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "ThemeFilesTests", dependencies: ["ThemeFiles", "ScreenModel"]),
    ]
)
