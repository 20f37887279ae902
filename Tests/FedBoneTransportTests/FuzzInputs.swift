import Foundation
import GRPCCore
import SwiftProtobuf
@testable import FedBoneTransport

/// SplitMix64: the wire fuzz's seeded generator (the same seed gives the same inputs).
struct FuzzRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// True with probability `1/n`.
    mutating func oneIn(_ n: Int) -> Bool { below(n) == 0 }
}

/// Every request the server accepts, with its method descriptor.
enum FuzzMethod: String, CaseIterable, Sendable {
    case join, forward, backward, infer, endRound, status, leave, reportMetrics

    var descriptor: MethodDescriptor {
        switch self {
        case .join: Fedbone_V1_FedBone.Method.Join.descriptor
        case .forward: Fedbone_V1_FedBone.Method.Forward.descriptor
        case .backward: Fedbone_V1_FedBone.Method.Backward.descriptor
        case .infer: Fedbone_V1_FedBone.Method.Infer.descriptor
        case .endRound: Fedbone_V1_FedBone.Method.EndRound.descriptor
        case .status: Fedbone_V1_FedBone.Method.Status.descriptor
        case .leave: Fedbone_V1_FedBone.Method.Leave.descriptor
        case .reportMetrics: Fedbone_V1_FedBone.Method.ReportMetrics.descriptor
        }
    }
}

/// What the honest session of the fuzzed client looks like now: the base every mutated
/// request starts from, so that most inputs pass authentication and reach the deeper checks.
struct HonestSession: Sendable {
    var clientID: UInt32
    var session: String
    var round: UInt64
    /// The step of the Forward whose Backward is pending.
    var pendingStep: UInt64
}

/// Builds mutated requests: valid ones with wrong field values, then sometimes mangled bytes.
struct FuzzInputs {
    /// The embedding shape the fuzzed client joins with, and the batch it sends.
    static let embeddingShape = LoopbackServer.embeddingShape
    static let batch = 2
    /// A batch whose F16 embeddings fit a `maxMessageBytes` request but whose F32 answer does not.
    static let hugeBatch = 120_000
    static let megabyte = String(repeating: "x", count: 1 << 20)
    static let combiningMegabyte = "e" + String(repeating: "\u{301}", count: 1 << 19)

    var rng: FuzzRandom

    /// The serialized request for `method` from `base`, mutated.
    mutating func request(_ method: FuzzMethod, base: HonestSession) -> [UInt8] {
        let bytes: [UInt8]
        switch method {
        case .join: bytes = serialized(join())
        case .forward: bytes = serialized(forward(base))
        case .backward: bytes = serialized(backward(base))
        case .infer: bytes = serialized(infer(base))
        case .endRound: bytes = serialized(endRound(base))
        case .status: bytes = serialized(status(base))
        case .leave: bytes = serialized(leave(base))
        case .reportMetrics: bytes = serialized(reportMetrics(base))
        }
        return rng.oneIn(4) ? mangled(bytes) : bytes
    }

    /// The call's metadata: mostly the right token, else none, another client's, unknown or malformed.
    mutating func metadata() -> Metadata {
        var metadata = Metadata()
        switch rng.below(16) {
        case 0: break
        case 1: metadata.addString("Bearer \(LoopbackServer.tokenB)", forKey: BearerToken.metadataKey)
        case 2: metadata.addString("Bearer \(ascii(count: 1 + rng.below(64)))", forKey: BearerToken.metadataKey)
        case 3: metadata.addString("Basic \(LoopbackServer.tokenA)", forKey: BearerToken.metadataKey)
        case 4: metadata.addString("Bearer \(ascii(count: 4096))", forKey: BearerToken.metadataKey)
        case 5:
            metadata.addString("Bearer \(LoopbackServer.tokenA)", forKey: BearerToken.metadataKey)
            metadata.addString("Bearer \(LoopbackServer.tokenB)", forKey: BearerToken.metadataKey)
        default: metadata = BearerToken.metadata(token: LoopbackServer.tokenA)
        }
        return metadata
    }

    // MARK: Messages

    private mutating func join() -> Fedbone_V1_JoinRequest {
        var m = Fedbone_V1_JoinRequest()
        m.protocolVersion = rng.oneIn(8) ? UInt32(truncatingIfNeeded: rng.next()) : 1
        m.clientName = string(valid: "seg-0")
        m.task = string(valid: "segmentation")
        m.embeddingShape = rng.oneIn(3) ? shape(around: Self.embeddingShape) : Self.embeddingShape.map(Int64.init)
        m.responseDtype = dtype()
        m.classes = rng.oneIn(4) ? UInt32(truncatingIfNeeded: rng.next()) : UInt32(rng.below(70_000))
        m.trainSamples = count(valid: 10)
        return m
    }

    private mutating func forward(_ base: HonestSession) -> Fedbone_V1_ForwardRequest {
        var m = Fedbone_V1_ForwardRequest()
        m.clientID = clientID(base)
        m.session = string(valid: base.session)
        m.round = count(valid: base.round)
        m.step = count(valid: base.pendingStep + 1)
        if !rng.oneIn(16) { m.embeddings = tensor(batched: true) }
        return m
    }

    private mutating func backward(_ base: HonestSession) -> Fedbone_V1_BackwardRequest {
        var m = Fedbone_V1_BackwardRequest()
        m.clientID = clientID(base)
        m.session = string(valid: base.session)
        m.round = count(valid: base.round)
        m.step = count(valid: base.pendingStep)
        if !rng.oneIn(16) { m.featureGradient = tensor(batched: false) }
        return m
    }

    private mutating func infer(_ base: HonestSession) -> Fedbone_V1_InferRequest {
        var m = Fedbone_V1_InferRequest()
        m.clientID = clientID(base)
        m.session = string(valid: base.session)
        if !rng.oneIn(16) { m.embeddings = tensor(batched: true) }
        return m
    }

    private mutating func endRound(_ base: HonestSession) -> Fedbone_V1_EndRoundRequest {
        var m = Fedbone_V1_EndRoundRequest()
        m.clientID = clientID(base)
        m.session = string(valid: base.session)
        m.round = count(valid: base.round)
        return m
    }

    private mutating func status(_ base: HonestSession) -> Fedbone_V1_StatusRequest {
        var m = Fedbone_V1_StatusRequest()
        m.clientID = clientID(base)
        m.session = string(valid: base.session)
        return m
    }

    private mutating func leave(_ base: HonestSession) -> Fedbone_V1_LeaveRequest {
        var m = Fedbone_V1_LeaveRequest()
        m.clientID = clientID(base)
        m.session = string(valid: base.session)
        m.reason = string(valid: "done")
        return m
    }

    private mutating func reportMetrics(_ base: HonestSession) -> Fedbone_V1_ReportMetricsRequest {
        var m = Fedbone_V1_ReportMetricsRequest()
        m.clientID = clientID(base)
        m.session = string(valid: base.session)
        m.round = count(valid: rng.oneIn(2) ? 0 : base.round)
        if rng.oneIn(2) {
            var training = Fedbone_V1_TrainingReport()
            training.loss = double()
            training.steps = count(valid: 4)
            training.bytesSent = count(valid: 1000)
            training.bytesReceived = count(valid: 1000)
            training.seconds = double()
            m.training = training
        }
        if rng.oneIn(2) {
            var evaluation = Fedbone_V1_EvaluationReport()
            evaluation.loss = double()
            evaluation.samples = count(valid: 8)
            let metrics = rng.oneIn(16) ? 600 : rng.below(4)
            evaluation.metrics = (0..<metrics).map { index in
                var metric = Fedbone_V1_Metric()
                metric.name = metrics < 8 && rng.oneIn(3) ? string(valid: "mIoU") : "m\(rng.oneIn(4) ? 0 : index)"
                metric.value = double()
                return metric
            }
            m.evaluation = evaluation
        }
        return m
    }

    // MARK: Fields

    private mutating func clientID(_ base: HonestSession) -> UInt32 {
        switch rng.below(10) {
        case 0: 8
        case 1: 0
        case 2: UInt32(truncatingIfNeeded: rng.next())
        default: base.clientID
        }
    }

    /// `valid`, or an empty, random, altered or (rarely: each costs a debug build tens of
    /// milliseconds to encode and decode) 1 MiB string.
    private mutating func string(valid: String) -> String {
        switch rng.below(240) {
        case 0: Self.megabyte
        case 1: Self.combiningMegabyte
        case 2..<22: ""
        case 22..<42: ascii(count: 1 + rng.below(100))
        case 42..<52: valid + "\u{0}"
        case 52..<62: String(valid.dropLast()) + "\u{1F600}"
        default: valid
        }
    }

    private mutating func ascii(count: Int) -> String {
        String(decoding: (0..<count).map { _ in UInt8(33 + rng.below(94)) }, as: UTF8.self)
    }

    private mutating func count(valid: UInt64) -> UInt64 {
        switch rng.below(14) {
        case 0: 0
        case 1: valid &+ 1
        case 2: valid &- 1
        case 3: UInt64(Int32.max)
        case 4: UInt64(Int32.max) + 1
        case 5: .max
        case 6: rng.next()
        case 7: UInt64(rng.below(100))
        default: valid
        }
    }

    private mutating func double() -> Double {
        switch rng.below(10) {
        case 0: .nan
        case 1: .infinity
        case 2: -.infinity
        case 3: -1
        case 4: .greatestFiniteMagnitude
        case 5: Double(bitPattern: rng.next())
        default: Double(rng.below(1000)) / 100
        }
    }

    private mutating func dtype() -> Fedbone_V1_DType {
        switch rng.below(8) {
        case 0: .unspecified
        case 1: .f16
        case 2: .bf16
        case 3: .UNRECOGNIZED(4 + rng.below(1000))
        default: .f32
        }
    }

    /// A shape near `valid`: a dimension dropped, added, negative, zero, huge or many of them.
    private mutating func shape(around valid: [Int]) -> [Int64] {
        var shape = valid.map(Int64.init)
        switch rng.below(9) {
        case 0: shape.removeLast()
        case 1: shape.append(1 + Int64(rng.below(3)))
        case 2: shape[rng.below(shape.count)] = -1 - Int64(rng.below(5))
        case 3: shape[rng.below(shape.count)] = 0
        case 4: shape[rng.below(shape.count)] = .max
        case 5: shape = [Int64(1 << 32), Int64(1 << 32)]
        case 6: shape = [Int64](repeating: 1, count: 9 + rng.below(100))
        case 7: shape = []
        default: shape[rng.below(shape.count)] += 1
        }
        return shape
    }

    /// Embeddings (`batched`: `[batch] + embeddingShape`) or a feature gradient of the pending
    /// Forward (the doubled model keeps the shape), with wrong shapes, dtypes, byte counts and
    /// values mixed in.
    private mutating func tensor(batched: Bool) -> Fedbone_V1_Tensor {
        if batched, rng.oneIn(40) { return Self.hugeHalfBatch }
        let valid = [Self.batch] + Self.embeddingShape
        var t = Fedbone_V1_Tensor()
        t.shape = rng.oneIn(4) ? shape(around: valid) : valid.map(Int64.init)
        t.dtype = rng.oneIn(4) ? dtype() : .f32
        let elements = t.shape.count <= 8 && t.shape.allSatisfy({ (0...64).contains($0) }) ? Int(t.shape.reduce(1, *)) : 24
        var values = (0..<elements).map { _ in Float(rng.below(200)) / 50 - 2 }
        if !values.isEmpty {
            switch rng.below(10) {
            case 0: values[rng.below(values.count)] = .nan
            case 1: values[rng.below(values.count)] = .infinity
            case 2: values = values.map { _ in 3e38 }
            case 3: values[rng.below(values.count)] = -.greatestFiniteMagnitude
            default: break
            }
        }
        let width = t.dtype == .f16 || t.dtype == .bf16 ? 2 : 4
        var data = [UInt8]()
        data.reserveCapacity(values.count * width)
        for value in values {
            let bits = value.bitPattern
            data.append(UInt8(truncatingIfNeeded: bits >> (width == 2 ? 16 : 0)))
            data.append(UInt8(truncatingIfNeeded: bits >> (width == 2 ? 24 : 8)))
            if width == 4 {
                data.append(UInt8(truncatingIfNeeded: bits >> 16))
                data.append(UInt8(truncatingIfNeeded: bits >> 24))
            }
        }
        switch rng.below(8) {
        case 0: data.removeLast(min(data.count, 1 + rng.below(8)))
        case 1: data += (0..<(1 + rng.below(8))).map { _ in UInt8(rng.below(256)) }
        case 2: data = (0..<data.count).map { _ in UInt8(rng.below(256)) }
        default: break
        }
        t.data = Data(data)
        return t
    }

    /// `hugeBatch` samples of zeros in F16: a request within the limit whose F32 answer is not.
    static let hugeHalfBatch: Fedbone_V1_Tensor = {
        var t = Fedbone_V1_Tensor()
        t.shape = ([hugeBatch] + embeddingShape).map(Int64.init)
        t.dtype = .f16
        t.data = Data(count: ([hugeBatch] + embeddingShape).reduce(1, *) * 2)
        return t
    }()

    // MARK: Bytes

    private func serialized(_ message: some SwiftProtobuf.Message) -> [UInt8] {
        (try? message.serializedBytes()) ?? []
    }

    /// `bytes` truncated, with bytes flipped or inserted, replaced by noise, with a bogus field
    /// appended, or twice over (protobuf merges the copies).
    private mutating func mangled(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        switch rng.below(6) {
        case 0: bytes = Array(bytes.prefix(rng.below(bytes.count + 1)))
        case 1:
            for _ in 0..<(1 + rng.below(8)) where !bytes.isEmpty { bytes[rng.below(bytes.count)] ^= UInt8(1 + rng.below(255)) }
        case 2: bytes.insert(contentsOf: (0..<(1 + rng.below(16))).map { _ in UInt8(rng.below(256)) }, at: rng.below(bytes.count + 1))
        case 3: bytes = (0..<rng.below(512)).map { _ in UInt8(rng.below(256)) }
        case 4: bytes += [UInt8(8 * (1 + rng.below(30)) + 2), 0xFF, 0xFF, 0xFF, 0x0F] + (0..<rng.below(8)).map { _ in UInt8(rng.below(256)) }
        default: bytes += bytes
        }
        return bytes
    }
}
