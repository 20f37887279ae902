import Foundation
import Testing
@testable import FedBoneTensor

/// The bytes of a safetensors file with the given header text and data buffer. `declaredLength`
/// overrides the header length field (to craft broken files).
private func craftedFile(header: String, buffer: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
    let json = Array(header.utf8)
    var data = Data()
    withUnsafeBytes(of: (declaredLength ?? UInt64(json.count)).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: json)
    data.append(contentsOf: buffer)
    return data
}

private func sameBits(_ a: [Float], _ b: [Float]) -> Bool {
    a.map(\.bitPattern) == b.map(\.bitPattern)
}

@Suite struct SafetensorsRoundTripTests {
    @Test func tensorsOfEveryRankSurviveWriteAndRead() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var rng = SeededGenerator(seed: 7)
        let tensors: [String: Tensor] = [
            "scalar": Tensor(-2.5),
            "empty": .zeros([0]),
            "empty.middle": .zeros([2, 0, 3]),
            "vector": .randn([5], generator: &rng),
            "blocks.0.attn.qkv.weight": .randn([3, 4, 2], generator: &rng),
            "ones": .ones([1, 1, 1, 1]),
            "special": try Tensor(shape: [5], scalars: [.nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude]),
        ]
        let url = dir.file("model.safetensors")
        try Safetensors.write(tensors, metadata: ["format": "pt", "epoch": "3"], to: url)
        let (read, metadata) = try Safetensors.readWithMetadata(contentsOf: url)
        #expect(metadata == ["format": "pt", "epoch": "3"])
        #expect(Set(read.keys) == Set(tensors.keys))
        for (name, tensor) in tensors {
            #expect(read[name]?.shape == tensor.shape, "\(name)")
            #expect(sameBits(read[name]?.scalars ?? [], tensor.scalars), "\(name)")
        }
    }

    @Test func headerMatchesTheReferenceLayout() throws {
        // Bytes produced by `safetensors.numpy.save({"b": np.arange(6, dtype=np.float32).reshape(2, 3)})`.
        let data = try Safetensors.encode(["b": try Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5])])
        let header = #"{"b":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}"# + String(repeating: " ", count: 7)
        #expect(data.prefix(8) == Data([64, 0, 0, 0, 0, 0, 0, 0]))
        #expect(String(decoding: data[8..<72], as: UTF8.self) == header)
        #expect(data.count == 72 + 24)
        #expect(Array(data[76..<80]) == [0, 0, 0x80, 0x3F])  // 1.0 little-endian
    }

    @Test func compactDTypesAreWrittenAsDeclaredAndReadBack() throws {
        let data = try Safetensors.encode(arrays: [
            "rgb": ([2, 2], .u8([0, 7, 128, 255])),
            "normals": ([3], .i8([-127, 0, 127])),
            "depth": ([1], .f32([2.5])),
            "none": ([0], .u8([])),
        ])
        let length = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let header = String(decoding: data[8..<(8 + length)], as: UTF8.self)
        #expect(header.hasPrefix(#"{"depth":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"none":{"dtype":"U8","shape":[0],"data_offsets":[4,4]},"normals":{"dtype":"I8","shape":[3],"data_offsets":[4,7]},"rgb":{"dtype":"U8","shape":[2,2],"data_offsets":[7,11]}}"#))
        #expect(data.count == 8 + length + 11)
        let read = try Safetensors.decode(data).tensors
        #expect(read["rgb"]?.scalars == [0, 7, 128, 255] && read["rgb"]?.shape == [2, 2])
        #expect(read["normals"]?.scalars == [-127, 0, 127])
        #expect(read["depth"]?.scalars == [2.5])
        #expect(read["none"]?.shape == [0])
    }

    @Test func tensorsAndMetadataAreSortedAndEscaped() throws {
        let data = try Safetensors.encode(["b": .zeros([1]), "a": .ones([2])],
                                          metadata: ["z": "last", "note": "quote \" slash \\ tab \t"])
        let length = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        #expect(length % 8 == 0)
        let header = String(decoding: data[8..<(8 + length)], as: UTF8.self)
        #expect(header.hasPrefix(#"{"__metadata__":{"note":"quote \" slash \\ tab \t","z":"last"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":"#))
        let decoded = try Safetensors.decode(data)
        #expect(decoded.metadata["note"] == "quote \" slash \\ tab \t")
        #expect(decoded.tensors["a"]?.scalars == [1, 1])
    }

    @Test func writingReplacesAnExistingFileAndLeavesNoTemporaryFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = dir.file("state.safetensors")
        try Safetensors.write(["x": .ones([3])], to: url)
        try Safetensors.write(["y": .zeros([2])], to: url)
        #expect(try Safetensors.read(contentsOf: url).keys.sorted() == ["y"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["state.safetensors"])
    }

    @Test func halfAndBFloat16AreConvertedOnReading() throws {
        let halves: [UInt16] = [0x3C00, 0xC000, 0x0001, 0x03FF, 0x7BFF, 0x7C00, 0xFC00, 0x8000, 0x3555]
        let bfloats: [UInt16] = [0x3F80, 0xC049, 0x0001, 0x7F80]
        var buffer: [UInt8] = []
        for bits in halves + bfloats { buffer += [UInt8(bits & 0xFF), UInt8(bits >> 8)] }
        let header = #"{"h":{"dtype":"F16","shape":[9],"data_offsets":[0,18]},"b":{"dtype":"BF16","shape":[2,2],"data_offsets":[18,26]}}"#
        let tensors = try Safetensors.decode(craftedFile(header: header, buffer: buffer)).tensors
        #expect(tensors["h"]?.scalars == [1, -2, 0x1p-24, 0x1.ff8p-15, 65504, .infinity, -.infinity, 0, 0x1.554p-2])
        #expect(tensors["h"]?.scalars[7].sign == .minus)
        #expect(tensors["b"]?.shape == [2, 2])
        #expect(tensors["b"]?.scalars == [1, -3.140625, Float(bitPattern: 0x0001_0000), .infinity])
    }

    @Test func integerDTypesAreConvertedToFloat() throws {
        var buffer: [UInt8] = []
        withUnsafeBytes(of: Int64(-7).littleEndian) { buffer += $0 }
        withUnsafeBytes(of: Int32(123_456).littleEndian) { buffer += $0 }
        buffer += [0xFF, 0xFF, 0x00, 0x02]  // U8 255, BOOL false, I8 0 and 2
        let header = #"{"i64":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"i32":{"dtype":"I32","shape":[1],"data_offsets":[8,12]},"#
            + #""u8":{"dtype":"U8","shape":[1],"data_offsets":[12,13]},"bool":{"dtype":"BOOL","shape":[1],"data_offsets":[13,14]},"#
            + #""i8":{"dtype":"I8","shape":[2],"data_offsets":[14,16]}}"#
        let tensors = try Safetensors.decode(craftedFile(header: header, buffer: buffer)).tensors
        #expect(tensors["i64"]?.scalars == [-7])
        #expect(tensors["i32"]?.scalars == [123_456])
        #expect(tensors["u8"]?.scalars == [255])
        #expect(tensors["bool"]?.scalars == [1])
        #expect(tensors["i8"]?.scalars == [0, 2])
    }

    @Test func emptyHeaderIsAnEmptyFile() throws {
        let decoded = try Safetensors.decode(craftedFile(header: "{}      "))
        #expect(decoded.tensors.isEmpty && decoded.metadata.isEmpty)
    }
}

@Suite struct SafetensorsErrorTests {
    /// Writes `data` to a file in a fresh folder and reads it, returning the error and the path.
    private func readError(_ data: Data) throws -> (SafetensorsError?, String) {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let url = dir.file("bad.safetensors")
        try data.write(to: url)
        do {
            _ = try Safetensors.read(contentsOf: url)
            return (nil, url.path)
        } catch let error as SafetensorsError {
            #expect(error.description.hasPrefix(url.path), "\(error)")
            return (error, url.path)
        }
    }

    @Test func missingFileIsNamed() {
        let url = URL(fileURLWithPath: "/nonexistent/fedbone/model.safetensors")
        #expect(throws: SafetensorsError.fileNotFound(source: url.path)) { try Safetensors.read(contentsOf: url) }
    }

    @Test func fileShorterThanTheLengthFieldIsRejected() throws {
        let (error, path) = try readError(Data([1, 2, 3, 4, 5]))
        #expect(error == .tooShort(source: path, byteCount: 5))
    }

    @Test func absurdHeaderLengthIsRejected() throws {
        let (error, path) = try readError(craftedFile(header: "{}", declaredLength: 200_000_000))
        #expect(error == .headerTooLarge(source: path, headerLength: 200_000_000, limit: Safetensors.maximumHeaderLength))
    }

    @Test func headerLengthBeyondTheFileIsRejected() throws {
        let (error, path) = try readError(craftedFile(header: "{}", declaredLength: 100))
        #expect(error == .headerBeyondFile(source: path, headerLength: 100, fileLength: 10))
    }

    @Test func headerThatIsNotJSONIsRejected() throws {
        let (error, path) = try readError(craftedFile(header: "{not json"))
        #expect(error == .headerNotJSON(source: path))
    }

    @Test func headerThatIsNotAnObjectIsRejected() throws {
        let (error, path) = try readError(craftedFile(header: "[1, 2]"))
        #expect(error == .headerNotObject(source: path))
    }

    @Test func metadataWithNonStringValuesIsRejected() throws {
        let (error, path) = try readError(craftedFile(header: #"{"__metadata__":{"epoch":3}}"#))
        #expect(error == .invalidMetadata(source: path))
    }

    @Test func entryWithoutDTypeIsRejected() throws {
        let (error, path) = try readError(craftedFile(header: #"{"w":{"shape":[1],"data_offsets":[0,4]}}"#, buffer: [0, 0, 0, 0]))
        #expect(error == .invalidEntry(source: path, tensor: "w", reason: "missing string field 'dtype'"))
    }

    @Test func negativeShapeIsRejected() throws {
        let (error, _) = try readError(craftedFile(header: #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, buffer: [0, 0, 0, 0]))
        guard case .invalidEntry(_, "w", _) = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test func unknownDTypeIsRejected() throws {
        let (error, path) = try readError(craftedFile(header: #"{"w":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}}"#, buffer: [0]))
        #expect(error == .unsupportedDType(source: path, tensor: "w", dtype: "Q7"))
        #expect(error?.description.contains("supported: F32, F16, BF16") == true)
    }

    @Test func byteCountThatDisagreesWithTheShapeIsRejected() throws {
        let header = #"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#
        let (error, path) = try readError(craftedFile(header: header, buffer: Array(repeating: 0, count: 20)))
        #expect(error == .byteCountMismatch(source: path, tensor: "w", dtype: "F32", shape: [2, 3], expected: 24, actual: 20))
    }

    @Test func offsetsPastTheBufferAreRejected() throws {
        let header = #"{"w":{"dtype":"F32","shape":[6],"data_offsets":[0,24]}}"#
        let (error, path) = try readError(craftedFile(header: header, buffer: Array(repeating: 0, count: 16)))
        #expect(error == .offsetsOutOfBuffer(source: path, tensor: "w", begin: 0, end: 24, bufferLength: 16))
    }

    @Test func overlappingTensorsAreRejected() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        let (error, path) = try readError(craftedFile(header: header, buffer: Array(repeating: 0, count: 12)))
        #expect(error == .offsetsNotContiguous(source: path, tensor: "b", begin: 4, expectedBegin: 8))
        #expect(error?.description.contains("overlaps") == true)
    }

    @Test func gapBetweenTensorsIsRejected() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}"#
        let (error, path) = try readError(craftedFile(header: header, buffer: Array(repeating: 0, count: 20)))
        #expect(error == .offsetsNotContiguous(source: path, tensor: "b", begin: 12, expectedBegin: 8))
        #expect(error?.description.contains("gap") == true)
    }

    @Test func bytesBelongingToNoTensorAreRejected() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let (error, path) = try readError(craftedFile(header: header, buffer: Array(repeating: 0, count: 12)))
        #expect(error == .trailingBytes(source: path, covered: 8, bufferLength: 12))
    }

    @Test func nanAndInfinityAreValidData() throws {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let (error, _) = try readError(craftedFile(header: header, buffer: [0, 0, 0xC0, 0x7F, 0, 0, 0x80, 0x7F]))
        #expect(error == nil)
    }

    @Test func reservedTensorNameIsRejectedOnWriting() {
        #expect(throws: SafetensorsError.reservedName(source: "<in-memory safetensors>")) {
            try Safetensors.encode(["__metadata__": .zeros([1])])
        }
    }

    @Test func unwritableFolderIsReported() {
        let url = URL(fileURLWithPath: "/nonexistent/fedbone/out.safetensors")
        #expect {
            try Safetensors.write(["x": .ones([1])], to: url)
        } throws: { error in
            guard case let .writeFailed(source, _)? = error as? SafetensorsError else { return false }
            return source == url.path
        }
    }
}
