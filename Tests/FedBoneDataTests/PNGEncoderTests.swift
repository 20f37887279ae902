import Foundation
import Testing
import FedBoneData

@Suite struct PNGEncoderTests {
    /// Reads a PNG written with stored deflate blocks: checks every CRC, the zlib header and
    /// Adler-32, and returns width, height and the RGB bytes.
    func decode(_ data: Data) throws -> (width: Int, height: Int, rgb: [UInt8]) {
        let bytes = [UInt8](data)
        #expect(Array(bytes.prefix(8)) == PNGEncoder.signature)
        func be32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        var position = 8, width = 0, height = 0
        var idat: [UInt8] = []
        var types: [String] = []
        while position < bytes.count {
            let length = be32(position)
            let type = String(decoding: bytes[(position + 4)..<(position + 8)], as: UTF8.self)
            let body = Array(bytes[(position + 4)..<(position + 8 + length)])
            #expect(UInt32(be32(position + 8 + length)) == PNGEncoder.crc32(body), "CRC of \(type)")
            let content = Array(body.dropFirst(4))
            if type == "IHDR" {
                width = content[0..<4].reduce(0) { $0 << 8 | Int($1) }
                height = content[4..<8].reduce(0) { $0 << 8 | Int($1) }
                #expect(Array(content[8...]) == [8, 2, 0, 0, 0])
            }
            if type == "IDAT" { idat += content }
            types.append(type)
            position += 12 + length
        }
        #expect(types == ["IHDR", "IDAT", "IEND"])
        #expect((Int(idat[0]) << 8 | Int(idat[1])) % 31 == 0 && idat[0] & 0x0F == 8)
        var raw: [UInt8] = [], p = 2, final = false
        while !final {
            final = idat[p] & 1 == 1
            #expect(idat[p] >> 1 & 3 == 0, "stored block")
            let length = Int(idat[p + 1]) | Int(idat[p + 2]) << 8
            let complement = Int(idat[p + 3]) | Int(idat[p + 4]) << 8
            #expect(length ^ complement == 0xFFFF)
            raw += idat[(p + 5)..<(p + 5 + length)]
            p += 5 + length
        }
        #expect(UInt32(idat[p..<(p + 4)].reduce(0) { $0 << 8 | Int($1) }) == PNGEncoder.adler32(raw))
        var rgb: [UInt8] = []
        for row in 0..<height {
            let start = row * (3 * width + 1)
            #expect(raw[start] == 0, "filter type of row \(row)")
            rgb += raw[(start + 1)...(start + 3 * width)]
        }
        return (width, height, rgb)
    }

    @Test func checksumsMatchTheirStandardCheckValues() {
        #expect(PNGEncoder.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(PNGEncoder.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(PNGEncoder.adler32([UInt8](repeating: 255, count: 100_000)) == adlerReference([UInt8](repeating: 255, count: 100_000)))
    }

    func adlerReference(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt64 = 1, b: UInt64 = 0
        for byte in bytes {
            a = (a + UInt64(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return UInt32(b << 16 | a)
    }

    @Test func encodedImagesDecodeToTheSamePixels() throws {
        let width = 7, height = 5
        let rgb = (0..<(3 * width * height)).map { UInt8(($0 * 37) % 256) }
        let image = try decode(PNGEncoder.encode(width: width, height: height, rgb: rgb))
        #expect(image.width == width && image.height == height && image.rgb == rgb)
    }

    @Test func largeImagesSpanSeveralStoredBlocks() throws {
        let width = 200, height = 120
        let rgb = (0..<(3 * width * height)).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 7) }
        let image = try decode(PNGEncoder.encode(width: width, height: height, rgb: rgb))
        #expect(image.rgb == rgb)
    }

    @Test func sampleStripsHaveATilePerDenseTask() throws {
        let dataset = TestData.scenes(count: 1, size: 8)
        let strip = SampleStrip.render(dataset.samples[0], tasks: dataset.info.tasks.map(\.kind), scale: 2)
        #expect(strip.height == 16 && strip.width == 7 * 16 + 6 * 2)
        let image = try decode(PNGEncoder.encode(width: strip.width, height: strip.height, rgb: strip.rgb))
        #expect(image.rgb == strip.rgb)
        #expect(SampleStrip.labelColor(0) == SIMD3(0, 0, 0) && SampleStrip.labelColor(1) == SIMD3(128, 0, 0))
        #expect(SampleStrip.labelColor(255) == SIMD3(224, 224, 192))
    }
}
