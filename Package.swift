// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "FedBone",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "FedBoneTensor", targets: ["FedBoneTensor"]),
        .library(name: "FedBoneLayers", targets: ["FedBoneLayers"]),
        .library(name: "FedBoneModels", targets: ["FedBoneModels"]),
        .library(name: "FedBoneData", targets: ["FedBoneData"]),
        .library(name: "FedBoneMetrics", targets: ["FedBoneMetrics"]),
        .library(name: "FedBoneFederation", targets: ["FedBoneFederation"]),
        .executable(name: "fedbone", targets: ["fedbone"]),
        .executable(name: "fedbone-bench", targets: ["fedbone-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
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
        .target(name: "FedBoneData", dependencies: ["FedBoneModels"]),
        .target(name: "FedBoneMetrics", dependencies: ["FedBoneData"]),
        .target(name: "FedBoneReporting", dependencies: ["FedBoneMetrics"]),
        .target(
            name: "FedBoneFederation",
            dependencies: ["FedBoneMetrics", "FedBoneReporting", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "fedbone",
            dependencies: [
                "FedBoneFederation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "fedbone-bench",
            dependencies: [
                "FedBoneFederation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "FedBoneTensorTests", dependencies: ["FedBoneTensor"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FedBoneLayersTests", dependencies: ["FedBoneLayers"]),
        .testTarget(name: "FedBoneModelsTests", dependencies: ["FedBoneModels"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FedBoneDataTests", dependencies: ["FedBoneData"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FedBoneMetricsTests", dependencies: ["FedBoneMetrics"]),
        .testTarget(name: "FedBoneReportingTests", dependencies: ["FedBoneReporting"]),
        .testTarget(name: "FedBoneFederationTests", dependencies: ["FedBoneFederation"]),
    ]
)
