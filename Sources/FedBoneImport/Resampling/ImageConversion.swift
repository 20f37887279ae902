/// Turning decoded images into the format's colour planes.
enum ImageConversion {
    /// The `[3, N, N]` colour planes of an RGB raster cut and resized by `fit`.
    static func rgb(_ raster: Raster<UInt8>, fit: ImageFit, size: Int) -> [UInt8] {
        let region = fit.region(width: raster.width, height: raster.height)
        if region == Region(x: 0, y: 0, width: size, height: size) && raster.width == size && raster.height == size {
            return raster.planarRGB
        }
        let resize = FilterResize(width: raster.width, height: raster.height, region: region, target: size)
        let resized = Raster(width: size, height: size, channels: 3, samples: resize.resize(raster.samples, channels: 3))
        return resized.planarRGB
    }
}
