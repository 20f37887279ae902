// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "FedBone",
    // The Apple platforms of gRPC Swift 2 (the floor of every product here); the engine takes
    // Accelerate's BLAS there. CI builds on Linux only.
    platforms: [.macOS(.v15), .iOS(.v18), .tvOS(.v18), .watchOS(.v11), .visionOS(.v2)],
    products: [
        .library(name: "FedBoneTensor", targets: ["FedBoneTensor"]),
        .library(name: "FedBoneLayers", targets: ["FedBoneLayers"]),
        .library(name: "FedBoneModels", targets: ["FedBoneModels"]),
        .library(name: "FedBoneData", targets: ["FedBoneData"]),
        .library(name: "FedBoneText", targets: ["FedBoneText"]),
        .library(name: "FedBoneMetrics", targets: ["FedBoneMetrics"]),
        .library(name: "FedBoneFederation", targets: ["FedBoneFederation"]),
        .library(name: "FedBoneClient", targets: ["FedBoneClient"]),
        .executable(name: "fedbone", targets: ["fedbone"]),
        .executable(name: "fedbone-bench", targets: ["fedbone-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // No unsafe flags, so that other packages can depend on this one: the test command
        // (`swift test -Xcc -O3`, README) optimises the kernels in debug builds instead.
        .target(name: "FedBoneKernels"),
        .target(
            name: "FedBoneTensor",
            dependencies: ["FedBoneKernels", .target(name: "CBLAS", condition: .when(platforms: [.linux]))]
        ),
        .target(name: "FedBoneLayers", dependencies: ["FedBoneTensor"]),
        .target(name: "FedBoneModels", dependencies: ["FedBoneLayers"]),
        // Tokenizers (Hugging Face tokenizer.json, WordPiece training) for text clients.
        .target(name: "FedBoneText", dependencies: [.product(name: "HeapModule", package: "swift-collections")]),
        .target(name: "FedBoneData", dependencies: ["FedBoneModels", "FedBoneText"]),
        // The importers' image codecs: libpng, libjpeg-turbo and zlib, called through a small C
        // shim. Only the importers and the executables link them, not the library products.
        .systemLibrary(
            name: "CImageLibraries",
            path: "Sources/CImageLibraries",
            providers: [.apt(["libpng-dev", "libjpeg62-turbo-dev", "zlib1g-dev"])]
        ),
        .target(name: "CImageCodecs", dependencies: ["CImageLibraries"]),
        .target(name: "FedBoneImport", dependencies: ["FedBoneData", "CImageCodecs", "CImageLibraries",
                                                      .product(name: "CSV", package: "CSV.swift")]),
        .target(name: "FedBoneMetrics", dependencies: ["FedBoneData"]),
        .target(name: "FedBoneReporting", dependencies: ["FedBoneMetrics"]),
        .target(
            name: "FedBoneFederation",
            dependencies: ["FedBoneMetrics", "FedBoneReporting", .product(name: "Yams", package: "Yams")]
        ),
        // What an edge app embeds: the client model and its data (FedBoneFederation's
        // TaskClient), the wire format and the gRPC client; no server, sessions or tokens.
        .target(
            name: "FedBoneClient",
            dependencies: [
                "FedBoneFederation",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .target(
            name: "FedBoneTransport",
            dependencies: [
                "FedBoneClient",
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .executableTarget(
            name: "fedbone",
            dependencies: [
                "FedBoneFederation",
                "FedBoneText",
                "FedBoneTransport",
                "FedBoneImport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "fedbone-bench",
            dependencies: [
                "FedBoneFederation",
                "FedBoneImport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "FedBoneKernelsTests", dependencies: ["FedBoneKernels"]),
        .testTarget(name: "FedBoneTensorTests", dependencies: ["FedBoneTensor"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FedBoneLayersTests", dependencies: ["FedBoneLayers"]),
        .testTarget(name: "FedBoneModelsTests", dependencies: ["FedBoneModels"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FedBoneDataTests", dependencies: ["FedBoneData"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FedBoneTextTests", dependencies: ["FedBoneText"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FedBoneImportTests", dependencies: ["FedBoneImport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FedBoneMetricsTests", dependencies: ["FedBoneMetrics"]),
        .testTarget(name: "FedBoneReportingTests", dependencies: ["FedBoneReporting"]),
        .testTarget(name: "FedBoneFederationTests", dependencies: ["FedBoneFederation"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "FedBoneTransportTests",
            dependencies: [
                "FedBoneTransport",
                "FedBoneImport",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
    ]
)
