import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FedBoneTensor

/// A TCP proxy on 127.0.0.1 in front of a server port that cuts connections: after a seeded
/// number of bytes (drawn from `bytesBetweenCuts`) has passed through it in either direction,
/// it shuts down the connection that carried the last byte, both ways, `cuts` times; then it
/// only forwards. Clients see their calls fail as over a dropped network and reconnect.
final class CuttingProxy: @unchecked Sendable {
    /// The port clients dial.
    let port: Int
    private let upstream: Int
    private let listener: Int32
    private let lock = NSLock()
    private var generator: SeededGenerator
    private let bytesBetweenCuts: ClosedRange<Int>
    private let maxCuts: Int
    private var sinceCut = 0
    private var nextCut: Int
    private var madeCuts = 0
    private var open: [Int32] = []
    private var stopped = false

    /// The connections cut so far.
    var cuts: Int { lock.withLock { madeCuts } }

    init(upstreamPort: Int, seed: UInt64, cuts: Int, bytesBetweenCuts: ClosedRange<Int>) throws {
        upstream = upstreamPort
        generator = SeededGenerator(seed: seed)
        self.bytesBetweenCuts = bytesBetweenCuts
        maxCuts = cuts
        nextCut = Int.random(in: bytesBetweenCuts, using: &generator)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProxyError.socket("socket") }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw ProxyError.socket("bind/listen")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    /// Stops accepting and closes every connection.
    func stop() {
        let fds = lock.withLock { () -> [Int32] in
            stopped = true
            return open
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in fds { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: UInt16(upstream))
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            let accepted = lock.withLock { () -> Bool in
                guard !stopped, connected == 0 else { return false }
                open += [client, server]
                return true
            }
            guard accepted else {
                close(client)
                close(server)
                continue
            }
            let pair = Pair(a: client, b: server)
            Thread { [self] in pump(from: client, to: server, pair: pair) }.start()
            Thread { [self] in pump(from: server, to: client, pair: pair) }.start()
        }
    }

    /// One connection's two sockets; the second pump to end closes them.
    private final class Pair: @unchecked Sendable {
        let a: Int32, b: Int32
        var ended = 0
        init(a: Int32, b: Int32) { self.a = a; self.b = b }
    }

    private func pump(from source: Int32, to destination: Int32, pair: Pair) {
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        loop: while true {
            let n = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            var sent = 0
            while sent < n {
                let m = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + sent, n - sent, Int32(MSG_NOSIGNAL)) }
                guard m > 0 else { break loop }
                sent += m
            }
            if countAndDecideCut(n) {
                shutdown(pair.a, Int32(SHUT_RDWR))
                shutdown(pair.b, Int32(SHUT_RDWR))
                break
            }
        }
        shutdown(destination, Int32(SHUT_WR))
        let last = lock.withLock { () -> Bool in
            pair.ended += 1
            guard pair.ended == 2 else { return false }
            open.removeAll { $0 == pair.a || $0 == pair.b }
            return true
        }
        if last {
            close(pair.a)
            close(pair.b)
        }
    }

    /// Counts `bytes` through the proxy; true when this connection is to be cut now.
    private func countAndDecideCut(_ bytes: Int) -> Bool {
        lock.withLock {
            guard madeCuts < maxCuts else { return false }
            sinceCut += bytes
            guard sinceCut >= nextCut else { return false }
            madeCuts += 1
            sinceCut = 0
            nextCut = Int.random(in: bytesBetweenCuts, using: &generator)
            return true
        }
    }

    enum ProxyError: Error { case socket(String) }
}
