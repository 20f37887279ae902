import Foundation

/// Reading one ground-truth PNG and converting it to the format's values at N×N. Every map is
/// checked against its image's size first (``ImportError/sizeMismatch``).
struct GroundTruth {
    let options: PairsOptions
    /// The image the map belongs to, its size and the region resized.
    let image: URL
    let width: Int
    let height: Int
    let region: Region
    let size: Int

    /// Label masks (segmentation, parts): 8-bit grey or palette PNG values, each below the
    /// class count or 255 (ignore); nearest-neighbour resize.
    func labels(_ file: URL, classCount: Int) throws -> [UInt8] {
        let raster = try checked(ImageFile.read(file, as: .label8), file)
        if let bad = raster.samples.firstIndex(where: { Int($0) >= classCount && $0 != 255 }) {
            throw ImportError.labelOutOfRange(path: file.path, label: Int(raster.samples[bad]), location: "pixel (x \(bad % width), y \(bad / width))",
                                              classCount: classCount)
        }
        return MaskResize.nearest(raster.samples, width: width, region: region, target: size)
    }

    /// Depth: a 16-bit grey PNG, metres = value / depth scale, 0 = invalid; resized with the
    /// image's filter over valid pixels only (an output pixel with no valid source is 0).
    func depth(_ file: URL) throws -> [Float] {
        let raster = try checked(ImageFile.readGray16(file), file)
        let scale = options.depthScale
        let metres = raster.samples.map { Float($0) / scale }
        let valid = raster.samples.map { $0 != 0 }
        return FilterResize(width: width, height: height, region: region, target: size)
            .resize(metres, channels: 1, valid: valid).0
    }

    /// Normals: an 8-bit RGB PNG, n = 2·rgb/255 − 1 mapped by ``PairsOptions/normalsAxes``;
    /// black pixels, and vectors shorter than ½ (mid-grey), are invalid. Resized with the image's
    /// filter over valid pixels, then renormalised; stored as `round(127·n)`, invalid as 0.
    func normals(_ file: URL) throws -> [Int8] {
        let raster = try checked(ImageFile.read(file, as: .rgb8), file)
        let axes = options.normalsAxes
        let plane = width * height
        var vectors = [Float](repeating: 0, count: 3 * plane)
        var valid = [Bool](repeating: false, count: plane)
        let signs = SIMD3<Float>(axes.signs[0], axes.signs[1], axes.signs[2])
        for p in 0..<plane {
            let r = raster.samples[3 * p], g = raster.samples[3 * p + 1], b = raster.samples[3 * p + 2]
            guard r | g | b != 0 else { continue }
            let decoded = SIMD3<Float>(Float(r), Float(g), Float(b)) * (2 / 255) - 1
            let n = signs * SIMD3(decoded[axes.channels[0]], decoded[axes.channels[1]], decoded[axes.channels[2]])
            let length = (n * n).sum().squareRoot()
            guard length >= 0.5 else { continue }
            valid[p] = true
            for axis in 0..<3 { vectors[3 * p + axis] = n[axis] / length }
        }
        let (resized, resizedValid) = FilterResize(width: width, height: height, region: region, target: size)
            .resize(vectors, channels: 3, valid: valid)
        let outPlane = size * size
        var out = [Int8](repeating: 0, count: 3 * outPlane)
        for p in 0..<outPlane where resizedValid[p] {
            let n = SIMD3(resized[3 * p], resized[3 * p + 1], resized[3 * p + 2])
            let length = (n * n).sum().squareRoot()
            guard length > 1e-6 else { continue }
            for axis in 0..<3 { out[axis * outPlane + p] = Int8((127 * n[axis] / length).rounded()) }
        }
        return out
    }

    /// Boundaries: grey values ≥ the threshold are 1; an output pixel is 1 when any source
    /// pixel it covers is (thin edges survive downscaling).
    func boundaries(_ file: URL) throws -> [UInt8] {
        let raster = try checked(ImageFile.read(file, as: .gray8), file)
        let threshold = options.boundaryThreshold
        let mask = raster.samples.map { Int($0) >= threshold ? UInt8(1) : 0 }
        return MaskResize.any(mask, width: width, region: region, target: size)
    }

    /// Saliency: the grey map resized with the image's filter, then values ≥ the threshold are 1.
    func saliency(_ file: URL) throws -> [UInt8] {
        let raster = try checked(ImageFile.read(file, as: .gray8), file)
        let threshold = options.saliencyThreshold
        let resized = FilterResize(width: width, height: height, region: region, target: size).resize(raster.samples, channels: 1)
        return resized.map { Int($0) >= threshold ? 1 : 0 }
    }

    private func checked<T>(_ raster: Raster<T>, _ file: URL) throws -> Raster<T> {
        guard raster.width == width, raster.height == height else {
            throw ImportError.sizeMismatch(image: image.path, imageWidth: width, imageHeight: height, groundTruth: file.path,
                                           width: raster.width, height: raster.height)
        }
        return raster
    }
}
