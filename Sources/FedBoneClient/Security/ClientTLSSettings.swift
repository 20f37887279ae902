import GRPCNIOTransportHTTP2

/// Where a PEM document comes from: a file, or text already in memory (tests, secrets stores).
public enum PEMSource: Sendable, Equatable {
    /// A PEM file on disk.
    case file(String)
    /// PEM text.
    case pem(String)

    package var certificateSource: TLSConfig.CertificateSource {
        switch self {
        case .file(let path): return .file(path: path, format: .pem)
        case .pem(let text): return .bytes(Array(text.utf8), format: .pem)
        }
    }

    package var privateKeySource: TLSConfig.PrivateKeySource {
        switch self {
        case .file(let path): return .file(path: path, format: .pem)
        case .pem(let text): return .bytes(Array(text.utf8), format: .pem)
        }
    }
}

/// TLS for a client: the CA that signed the server's certificate, and optionally the
/// client's own certificate for mutual TLS.
public struct ClientTLSSettings: Sendable, Equatable {
    /// The CA that signed the server certificate; `nil` trusts the system's roots.
    public var serverCA: PEMSource?
    /// The client's certificate chain, for mutual TLS.
    public var certificateChain: PEMSource?
    /// The private key of the client certificate, for mutual TLS.
    public var privateKey: PEMSource?
    /// The name the server certificate must carry; `nil` uses the host connected to.
    public var serverHostname: String?

    /// Creates client TLS settings. Give both `certificateChain` and `privateKey` for mutual TLS.
    public init(serverCA: PEMSource?, certificateChain: PEMSource? = nil, privateKey: PEMSource? = nil, serverHostname: String? = nil) {
        self.serverCA = serverCA
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.serverHostname = serverHostname
    }

    var transportSecurity: HTTP2ClientTransport.Posix.TransportSecurity {
        let configure: (inout HTTP2ClientTransport.Posix.TransportSecurity.TLS) -> Void = { config in
            if let serverCA = self.serverCA { config.trustRoots = .certificates([serverCA.certificateSource]) }
            config.serverCertificateVerification = .fullVerification
        }
        if let certificateChain, let privateKey {
            return .mTLS(
                certificateChain: [certificateChain.certificateSource],
                privateKey: privateKey.privateKeySource,
                configure: configure
            )
        }
        return .tls(configure: configure)
    }
}
