import CImageCodecs
import Foundation

/// Encodes PNG files with libpng (8-bit grey or RGB, 16-bit grey): test inputs and the import
/// benchmark's images.
public enum PNGWriter {
    /// The PNG bytes of an 8-bit raster of 1 (grey) or 3 (RGB) channels, deflated at zlib
    /// `level` 0…9 (6 is libpng's default).
    public static func encode(_ raster: Raster<UInt8>, level: Int = 6) throws -> Data {
        try raster.samples.withUnsafeBytes { try encode($0, raster: (raster.width, raster.height, raster.channels), bits: 8, level: level) }
    }

    /// The PNG bytes of a 16-bit greyscale raster.
    public static func encode(_ raster: Raster<UInt16>, level: Int = 6) throws -> Data {
        try raster.samples.withUnsafeBytes { try encode($0, raster: (raster.width, raster.height, raster.channels), bits: 16, level: level) }
    }

    private static func encode(_ pixels: UnsafeRawBufferPointer, raster: (width: Int, height: Int, channels: Int),
                               bits: UInt32, level: Int) throws -> Data {
        var bytes: UnsafeMutablePointer<UInt8>?
        var count = 0
        var message = [CChar](repeating: 0, count: 256)
        let code = fb_png_encode(pixels.baseAddress, UInt32(clamping: raster.width), UInt32(clamping: raster.height),
                                 UInt32(clamping: raster.channels), bits, Int32(clamping: level), &bytes, &count,
                                 &message, message.count)
        defer { fb_bytes_free(bytes) }
        guard code == FB_OK, let bytes else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImportError.invalidOptions("PNG encoding failed: \(text)")
        }
        return Data(bytes: bytes, count: count)
    }
}
