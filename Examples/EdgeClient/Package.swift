// swift-tools-version:6.0
// An edge app that embeds one FedBone client, depending on FedBone by version as any other
// package would. FEDBONE_PACKAGE_URL names the git repository to take FedBone from (one with a
// version tag ≥ 0.2.0; `scripts/build-example.sh` makes such a clone of this checkout and
// builds against it); the default is the repository this example sits in.
import PackageDescription

let fedboneURL = Context.environment["FEDBONE_PACKAGE_URL"]
    ?? "file://" + Context.packageDirectory.split(separator: "/").dropLast(2).map { "/" + $0 }.joined()
/// SwiftPM names a package after the last component of its URL.
let fedboneLastComponent = fedboneURL.split(separator: "/").last ?? "FedBone"
let fedboneIdentity = String(fedboneLastComponent.hasSuffix(".git") ? fedboneLastComponent.dropLast(4) : fedboneLastComponent)

let package = Package(
    name: "EdgeClient",
    platforms: [.macOS(.v15), .iOS(.v18)],
    dependencies: [
        .package(url: fedboneURL, from: "0.2.0"),
    ],
    targets: [
        .executableTarget(
            name: "EdgeClient",
            dependencies: [.product(name: "FedBoneClient", package: fedboneIdentity)]
        ),
    ]
)
