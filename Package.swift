// swift-tools-version: 6.0
import PackageDescription

// The night's hot path (the bridge, the core, the store, the policies and the runner) is built for
// release without the run-time exclusivity checks: they were an eighth of a hook call's time in the
// profile (`swift_beginAccess` and its thread-local set, issue 14). Debug builds, which the tests
// run, keep them, so an overlapping access is still caught there.
let releaseSpeed: [SwiftSetting] = [
  .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

let package = Package(
  name: "Litige",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "litige", targets: ["litige"])
  ],
  dependencies: [
    .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
    .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
  ],
  targets: [
    // The Lua library, through the pkg-config package `litige-lua` that scripts/build-lua.sh writes
    // into .build-lua/pkgconfig (a fixed Lua 5.4.7 built from Debian's source, or the system's
    // liblua5.4 when it is 5.4.6 or newer); `make` sets PKG_CONFIG_PATH.
    .systemLibrary(name: "CLua", pkgConfig: "litige-lua"),
    // The C of the embedding: macro wrappers, the allocator, the trampoline, the sandbox's protected
    // calls and bounded library functions. Compiled with warnings on.
    .target(
      name: "CLuaShim", dependencies: ["CLua"],
      cSettings: [.unsafeFlags(["-Wall", "-Wextra", "-Wno-unused-parameter"])]
    ),
    // Generic Swift <-> Lua embedding: sandbox, limits, values, errors. Knows nothing of disputes.
    .target(name: "LuaHost", dependencies: ["CLuaShim"], swiftSettings: releaseSpeed),
    // The dispute domain: money, cases, invoices, decisions and the rules no script can break.
    .target(name: "LitigeCore", swiftSettings: releaseSpeed),
    // Persistence on SQLite through GRDB: schema, repositories, journal, demo data.
    .target(
      name: "LitigeStore",
      dependencies: ["LitigeCore", .product(name: "GRDB", package: "GRDB.swift")],
      swiftSettings: releaseSpeed
    ),
    // Binds the core to Lua: the `litige` API, case views, the decision API, script runs.
    .target(
      name: "LitigePolicies",
      dependencies: [
        "LitigeCore", "LitigeStore", "LuaHost",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: releaseSpeed
    ),
    // The nightly runner: every open case through the policies, in parallel, resumable, with reports.
    .target(
      name: "LitigeBatch",
      dependencies: [
        "LitigeCore", "LitigeStore", "LitigePolicies", "LuaHost",
        .product(name: "Mustache", package: "swift-mustache"),
      ],
      swiftSettings: releaseSpeed),
    // A company's data in and out: CSV and JSON files read as real exports are (encodings,
    // separators, positions of every problem), typed for the store; exports and the outbox's files.
    .target(
      name: "LitigeExchange",
      dependencies: ["LitigeCore", "LitigeStore", .product(name: "CSV", package: "CSV.swift")]),
    // libedit (BSD editline) from the system (Debian: libedit-dev), found through pkg-config.
    .systemLibrary(
      name: "CEditLine",
      pkgConfig: "libedit",
      providers: [.apt(["libedit-dev"])]
    ),
    // The interactive console: line editing, completion, pretty printing, staged decisions.
    .target(
      name: "LitigeREPL",
      dependencies: ["LitigeCore", "LitigeStore", "LitigePolicies", "LuaHost", "CLuaShim", "CEditLine"]
    ),
    // The commands of the `litige` executable, as a library so tests can run them in-process.
    .target(
      name: "LitigeCLI",
      dependencies: [
        "LitigeCore", "LitigeStore", "LitigePolicies", "LitigeBatch", "LitigeREPL", "LitigeExchange",
        "LuaHost",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    // Test support: start a program on a pseudo-terminal to drive the REPL as a person would.
    .target(name: "CPseudoTerminal", linkerSettings: [.linkedLibrary("util")]),
    // Release builds allocate through jemalloc (Debian: libjemalloc-dev, kept upstream; the process's
    // malloc, so Swift, SQLite and the Lua states all use it): glibc's allocator was 13 % of a first
    // night's profile (consolidating and splitting chunks), and jemalloc took its CPU from 43 to 37 s
    // at 100k cases `--jobs 1` (issue 14; BENCHMARKS.md). Debug builds, which the tests and the address
    // sanitizer run, keep glibc's.
    .executableTarget(
      name: "litige", dependencies: ["LitigeCLI"],
      linkerSettings: [.linkedLibrary("jemalloc", .when(platforms: [.linux], configuration: .release))]),
    .testTarget(
      name: "LuaHostTests",
      dependencies: ["LuaHost", .product(name: "PropertyBased", package: "swift-property-based")]),
    .testTarget(
      name: "LitigeCoreTests",
      dependencies: ["LitigeCore", .product(name: "PropertyBased", package: "swift-property-based")]),
    .testTarget(
      name: "LitigeStoreTests",
      dependencies: [
        "LitigeStore", .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]),
    .testTarget(
      name: "LitigePoliciesTests",
      dependencies: ["LitigePolicies", .product(name: "PropertyBased", package: "swift-property-based")]),
    .testTarget(name: "LitigeBatchTests", dependencies: ["LitigeBatch"]),
    .testTarget(
      name: "LitigeExchangeTests",
      dependencies: [
        "LitigeExchange", "LitigeStore", "LitigeCore",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]),
    .testTarget(
      name: "LitigeCLITests",
      dependencies: ["LitigeCLI", "LitigeBatch", "LitigePolicies", "LitigeStore", "LitigeCore"]),
    .testTarget(
      name: "LitigeREPLTests", dependencies: ["LitigeREPL", "LitigeStore", "LitigeCore", "CPseudoTerminal"]),
  ]
)
