import FedBoneClient
import GRPCNIOTransportHTTP2

/// TLS for the server: its certificate chain and key, and optionally mutual TLS.
public struct ServerTLSSettings: Sendable, Equatable {
    /// The server's certificate chain, leaf first (PEM, may hold several certificates).
    public var certificateChain: PEMSource
    /// The private key of the leaf certificate.
    public var privateKey: PEMSource
    /// When set, clients must present a certificate signed by this CA (mutual TLS).
    public var clientCA: PEMSource?

    /// Creates server TLS settings.
    public init(certificateChain: PEMSource, privateKey: PEMSource, clientCA: PEMSource? = nil) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.clientCA = clientCA
    }

    var transportSecurity: HTTP2ServerTransport.Posix.TransportSecurity {
        let chain = [certificateChain.certificateSource]
        guard let clientCA else {
            return .tls(certificateChain: chain, privateKey: privateKey.privateKeySource)
        }
        return .mTLS(certificateChain: chain, privateKey: privateKey.privateKeySource) { config in
            config.trustRoots = .certificates([clientCA.certificateSource])
            config.clientCertificateVerification = .noHostnameVerification
        }
    }
}
