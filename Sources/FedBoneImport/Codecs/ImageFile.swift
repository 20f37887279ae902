import CImageCodecs
import Foundation

/// Reads PNG and JPEG files with libpng and libjpeg-turbo (through the C shim
/// `CImageCodecs`). The codec is chosen by the file's first bytes, not its name.
public enum ImageFile {
    /// What a decoded file is turned into.
    public enum Format: Sendable {
        /// 8-bit RGB: grey replicated, palettes expanded, alpha dropped (not composited),
        /// 16-bit samples rounded to 8 bits.
        case rgb8
        /// 8-bit grey: fewer bits scaled to 0…255, 16-bit rounded, colour converted with
        /// libpng's or libjpeg's luma weights, alpha dropped.
        case gray8
        /// 8-bit label values as stored: the grey value or palette index of a PNG of at most
        /// 8 bits (RGB, 16-bit and JPEG files are refused).
        case label8

        var codecFormat: fb_pixel_format {
            switch self {
            case .rgb8: return FB_PIXELS_RGB8
            case .gray8: return FB_PIXELS_GRAY8
            case .label8: return FB_PIXELS_LABEL8
            }
        }
    }

    /// Decodes `url` as 8-bit samples in `format`.
    /// - Throws: ``ImportError`` naming the file: unreadable, truncated, not a PNG/JPEG or
    ///   corrupt, or of a kind `format` cannot take.
    public static func read(_ url: URL, as format: Format) throws -> Raster<UInt8> {
        let image = try decode(url, format.codecFormat)
        defer { fb_image_free(&image.storage) }
        let count = Int(image.storage.width) * Int(image.storage.height) * Int(image.storage.channels)
        let samples = [UInt8](UnsafeBufferPointer(start: image.storage.pixels?.assumingMemoryBound(to: UInt8.self), count: count))
        return Raster(width: Int(image.storage.width), height: Int(image.storage.height),
                      channels: Int(image.storage.channels), samples: samples)
    }

    /// Decodes `url`, which must be a 16-bit greyscale PNG, as its 16-bit values.
    /// - Throws: ``ImportError`` naming the file, also when it is not 16-bit greyscale.
    public static func readGray16(_ url: URL) throws -> Raster<UInt16> {
        let image = try decode(url, FB_PIXELS_GRAY16)
        defer { fb_image_free(&image.storage) }
        let count = Int(image.storage.width) * Int(image.storage.height)
        let samples = [UInt16](UnsafeBufferPointer(start: image.storage.pixels?.assumingMemoryBound(to: UInt16.self), count: count))
        return Raster(width: Int(image.storage.width), height: Int(image.storage.height), channels: 1, samples: samples)
    }

    /// The decoder's result, freed by the caller.
    private final class Decoded {
        var storage = fb_image()
    }

    private static func decode(_ url: URL, _ format: fb_pixel_format) throws -> Decoded {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImportError.unreadableFile(path: url.path, reason: FileErrors.reason(error))
        }
        let decoded = Decoded()
        var message = [CChar](repeating: 0, count: 512)
        let code = data.withUnsafeBytes { raw -> Int32 in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard let base = bytes.baseAddress else { return -1 }
            let isPNG = bytes.count >= 4 && bytes[0] == 0x89 && bytes[1] == 0x50 && bytes[2] == 0x4E && bytes[3] == 0x47
            let isJPEG = bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8
            if isJPEG { return fb_jpeg_decode(base, bytes.count, format, &decoded.storage, &message, message.count) }
            if isPNG { return fb_png_decode(base, bytes.count, format, &decoded.storage, &message, message.count) }
            return -1
        }
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch Int(code) {
        case Int(FB_OK): return decoded
        case -1: throw ImportError.undecodableFile(path: url.path, reason: data.isEmpty ? "the file is empty" : "not a PNG or JPEG file")
        case Int(FB_ERROR_TRUNCATED): throw ImportError.truncatedFile(path: url.path, reason: text)
        case Int(FB_ERROR_UNSUPPORTED): throw ImportError.unsupportedImage(path: url.path, reason: text)
        default: throw ImportError.undecodableFile(path: url.path, reason: text)
        }
    }
}
