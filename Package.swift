// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "FedBone",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "FedBoneTensor", targets: ["FedBoneTensor"]),
        .library(name: "FedBoneLayers", targets: ["FedBoneLayers"]),
        .library(name: "FedBoneModels", targets: ["FedBoneModels"]),
        .executable(name: "fedbone", targets: ["fedbone"]),
        .executable(name: "fedbone-bench", targets: ["fedbone-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            path: "Sources/CBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "FedBoneTensor",
            dependencies: [.target(name: "CBLAS", condition: .when(platforms: [.linux]))]
        ),
        .target(name: "FedBoneLayers", dependencies: ["FedBoneTensor"]),
        .target(name: "FedBoneModels", dependencies: ["FedBoneLayers"]),
        .executableTarget(
            name: "fedbone",
            dependencies: [
                "FedBoneModels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "fedbone-bench",
            dependencies: [
                "FedBoneLayers",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "FedBoneTensorTests", dependencies: ["FedBoneTensor"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FedBoneLayersTests", dependencies: ["FedBoneLayers"]),
        .testTarget(name: "FedBoneModelsTests", dependencies: ["FedBoneModels"], resources: [.copy("Fixtures")]),
    ]
)
