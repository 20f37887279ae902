import Testing
@testable import FedBoneReporting

@Suite struct CRC32CTests {
    @Test func matchesTheCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    /// RFC 3720 (iSCSI) appendix B.4 test vectors.
    @Test func matchesRFC3720Vectors() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map(UInt8.init)) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map(UInt8.init)) == 0x113F_DB5C)
    }

    @Test func masksLikeTFRecord() {
        #expect(CRC32C.masked(0) == 0xA282_EAD8)
        let crc: UInt32 = 0xE306_9283
        #expect(CRC32C.masked(crc) == ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
        #expect(CRC32C.maskedChecksum(Array("123456789".utf8)) == CRC32C.masked(0xE306_9283))
    }
}
